"""Staff mode without Qt: the state database (state.py), the PIN (pin.py), catalogue
edits with their audit trail applied as an overlay (edits.py), the xlsx workbook
(xlsx.py), usage figures (stats.py), the pinyin input of the on-screen keyboard
(ime.py) and the printer test page (testpage.py). The screens are kiosk/ui/staff/*.py.

Staff state lives in its own SQLite database, `<data dir>/state.sqlite`, beside the
catalogue but never inside it: the catalogue is rebuilt from seed/ and swapped whole,
the staff state is upgraded in place by Alembic (kiosk/db/migrations/).
"""
