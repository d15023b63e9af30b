"""`kiosk print`: PDF, CUPS and ESC/POS from the command line; exit 0 / 1 / 2."""

import os
import subprocess

import pytest

from kiosk.cli import main
from tests.printing_support import Listener, free_port, need, pdf_page_sizes, pdf_text


@pytest.fixture
def db(catalogue_db):
    return ["--db", str(catalogue_db)]


@pytest.mark.parametrize("paper", ["a4", "80mm", "58mm"])
def test_print_pdf(db, tmp_path, capsys, paper):
    out = tmp_path / f"c-{paper}.pdf"
    code = main(db + ["print", "--region", "shenyang", "--service", "flexible-enrol", "--answer", "hukou=nonlocal",
                      "--answer", "applicant=proxy", "--pdf", str(out), "--paper", paper])
    assert code == 0, capsys.readouterr().err
    text = "".join(pdf_text(out).split())
    assert "灵活就业人员参保登记-参保登记" in text and "代办人有效身份证件" in text
    w, _h = pdf_page_sizes(out)[0]
    assert round(w) == {"a4": 595, "80mm": 227, "58mm": 164}[paper]


def test_print_pdf_default_is_a4(db, tmp_path):
    out = tmp_path / "c.pdf"
    assert main(db + ["print", "--region", "fushun", "--service", "resident-enrol", "--pdf", str(out)]) == 0
    assert round(pdf_page_sizes(out)[0][0]) == 595


def test_print_escpos(db, capsys):
    lis = Listener(status={1: b"\x12", 4: b"\x12"})
    code = main(db + ["print", "--region", "kaiyuan", "--service", "account-withdrawal", "--escpos", lis.address])
    assert code == 0, capsys.readouterr().err
    assert "参保人员个人账户一次性支取".encode("gb18030") in lis.wait()


def test_print_fault_exit_1_message_on_stderr(db, capsys):
    code = main(db + ["print", "--region", "kaiyuan", "--service", "account-withdrawal",
                      "--escpos", f"tcp://127.0.0.1:{free_port()}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "打印机暂时不可用，请扫码或到一楼 15 号窗口咨询" in err
    assert "Traceback" not in err


def test_print_to_missing_cups_queue(db, capsys):
    need("lp", "lpstat")
    code = main(db + ["print", "--region", "shenyang", "--service", "flexible-enrol", "--printer", "no-such-queue"])
    assert code == 1
    assert "打印机暂时不可用" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["--region", "nowhere", "--service", "x", "--pdf", "x.pdf"],
    ["--region", "shenyang", "--service", "no-such-service", "--pdf", "x.pdf"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--answer", "hukou=mars", "--pdf", "x.pdf"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--answer", "nonsense", "--pdf", "x.pdf"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--hall", "nope", "--pdf", "x.pdf"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--escpos", "lpt://1"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--escpos", "tcp://h:9100", "--paper", "a4"],
])
def test_bad_arguments_exit_2(db, args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(db + ["print", *args]) == 2
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("args", [
    ["--region", "shenyang", "--service", "flexible-enrol"],  # no target
    ["--region", "shenyang", "--service", "flexible-enrol", "--pdf", "a.pdf", "--printer", "q"],
    ["--region", "shenyang", "--service", "flexible-enrol", "--pdf", "a.pdf", "--paper", "a3"],
])
def test_argparse_errors_exit_2(db, args):
    with pytest.raises(SystemExit) as exc:
        main(db + ["print", *args])
    assert exc.value.code == 2


def test_installed_command(catalogue_db, tmp_path):
    """The console script, as an operator runs it."""
    kiosk = os.path.join(os.path.dirname(os.path.realpath(os.sys.executable)), "kiosk")
    if not os.path.exists(kiosk):
        kiosk = os.path.join(os.path.dirname(os.sys.executable), "kiosk")
    out = tmp_path / "op.pdf"
    proc = subprocess.run([kiosk, "--db", str(catalogue_db), "print", "--region", "kaiyuan", "--service",
                           "resident-enrol", "--pdf", str(out), "--paper", "58mm"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes().startswith(b"%PDF")
