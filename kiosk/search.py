"""Search the way people ask: Chinese words and phrases, pinyin as people type it.

- Chinese text is split into words (jieba, with the catalogue's own words added);
  every word is looked up in the service's name (weighted most), its category, and its
  body text: intro (受理条件 …), materials and questions. Everyday words
  (resources/synonyms.yaml) add the services they point to. Scores add up over all
  words, each weighted by how rare it is in the region (a word every service has, such
  as 医保, counts little), so results are ranked by relevance and an everyday word adds
  candidates without hiding the others.
- Pinyin (`zhuyuanbaoxiao`, `zhuyuanbx`, `zybaoxiao`, `zybx`, `zhuy` while typing) is
  decoded into the catalogue's vocabulary (name words, everyday words, body words):
  the letters are segmented into words, each written in full, as initials or mixed;
  Northeastern confusions (z/zh, c/ch, s/sh, n/l, -n/-ng, h/f) and, from six letters on,
  one missing or extra letter still match at a small cost. The decoded words are then
  searched as Chinese text.
- Nothing found: `suggest()` gives the closest services (您是不是要找).

Pure Python; built once per region (`warm_up()`, while the kiosk waits at Home).
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk import paths
from kiosk.catalogue.model import Service

log = logging.getLogger("kiosk.search")
_NON_WORD = re.compile(r"[^\w]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")

# Function words of a spoken question ("我想问一下怎么办理…"); they carry no topic.
STOPWORDS = frozenset(
    ["我", "你", "他", "她", "它", "我们", "咱", "俺", "要", "想", "想要", "的", "地", "得", "了", "吗", "呢", "吧", "啊", "呀", "么", "在", "去", "到", "给", "把", "被", "和", "与", "及", "或", "是", "有", "个", "这", "那", "这个", "那个", "怎么", "怎样", "怎么办", "咋", "咋办", "如何", "哪里", "哪儿", "在哪", "在哪里", "哪", "什么", "啥", "需要", "要求", "可以", "能", "能不能", "办", "办理", "一下", "请问", "问", "问问", "咨询", "自己", "还", "也", "都", "就", "才", "又", "该", "应该", "得", "多少", "几", "时候", "现在", "已经", "刚", "刚刚", "一", "一个", "帮", "帮忙", "弄", "搞", "手续", "流程", "怎么弄", "去哪", "哪个", "吗", "嘛", "不", "没", "没有", "会", "谁", "那么", "这么", "里", "家里"])

# Northeastern confusions: both sides are written this way before comparing.
_FUZZY = ((re.compile(r"zh"), "z"), (re.compile(r"ch"), "c"), (re.compile(r"sh"), "s"),
          (re.compile(r"f"), "h"), (re.compile(r"l"), "n"), (re.compile(r"ng"), "n"))
MAX_KEY = 30  # longest pinyin key of a vocabulary word
EDIT_MIN = 6  # one missing or extra letter is tolerated from this query length on
PREFIX_WORDS = 24  # words a word still being typed may become, the likeliest first

# Weights of where a word is found (name above category above body text).
W_NAME, W_NAME_START, W_CATEGORY, W_BODY, W_SYNONYM, W_AUDIENCE = 10.0, 2.0, 6.0, 3.0, 8.0, 3.0


def synonyms_path() -> Path:
    """The everyday-word map (KIOSK_RESOURCES_DIR, else the project's resources/)."""
    return paths.resources_dir() / "synonyms.yaml"


def _lazy_pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # 0.2 s to import: only when an index is built

    return lazy_pinyin(text, style=Style.NORMAL, errors="default", v_to_u=False)


def pinyin_keys(text: str) -> tuple[str, str]:
    """('yidijiuyi', 'ydjy') for 异地就医; non-Chinese characters are kept as they are."""
    text = _NON_WORD.sub("", text)
    syllables = _lazy_pinyin(text)
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


@lru_cache(maxsize=8192)
def fuzzy(text: str) -> str:
    """Pinyin as a Northeastern ear hears it: 'zhuyuan' and 'zuyuan' both give 'zuyuan'."""
    for pattern, repl in _FUZZY:
        text = pattern.sub(repl, text)
    return text


_TOKENIZER = None
_TOKENIZER_LOCK = threading.Lock()


def tokenizer():
    """jieba's tokenizer, loaded once (≈0.5 s from its cache; the first search or
    warm_up() pays it, never the kiosk's start-up)."""
    global _TOKENIZER
    with _TOKENIZER_LOCK:
        if _TOKENIZER is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            _TOKENIZER = tok
    return _TOKENIZER


def _abbreviations(syllable: str) -> list[str]:
    """How a syllable may be written when abbreviated: 'z' or 'zh' for 'zhu'."""
    out = [syllable[0]]
    if syllable[:2] in ("zh", "ch", "sh"):
        out.append(syllable[:2])
    return out


def _word_keys(syllables: list[str]) -> set[str]:
    """Every way a word may be typed: in full, as initials, or each syllable either
    (`zhuyuan`, `zy`, `zhuy`, `zyuan`); single syllables only in full."""
    if len(syllables) == 1:
        return {syllables[0]}
    if len(syllables) > 5:
        return {"".join(syllables), "".join(s[0] for s in syllables)}
    keys: set[tuple[str, ...]] = {()}
    for s in syllables:
        keys = {k + (form,) for k in keys for form in [s, *_abbreviations(s)]
                # 'z' then 'hu' would read as 'zhu', 'b' then 'an' as 'ban': an initial is
                # never followed by h (after z/c/s) or by a syllable that starts with a vowel
                if not (k and k[-1] in ("z", "c", "s") and form.startswith("h"))
                and not (k and len(k[-1]) == 1 and len(form) > 1 and form[0] in "aeo")}
    return {"".join(k) for k in keys}


@dataclass
class _Entry:
    service: Service
    name: str
    category: str
    body: str  # intro, materials and questions, as one text
    full: str  # pinyin of the name
    initials: str
    order: int


class SearchIndex:
    """Built on first use (or by `warm_up()` while the kiosk waits at Home), so that
    start-up does not pay for pypinyin and jieba."""

    def __init__(self, services: list[Service], synonyms_file: Path | None = None):
        self._services = services
        self._synonyms_file = synonyms_file
        self._built = False
        self._lock = threading.Lock()

    # -- building -----------------------------------------------------------------------------
    def warm_up_in_background(self) -> None:
        """Build the index on a worker thread (jieba's dictionary takes ~0.5 s to load),
        so that Home keeps answering touches; a search meanwhile waits for it."""
        if not self._built:
            threading.Thread(target=self.warm_up, name="search-index", daemon=True).start()

    def warm_up(self) -> None:
        if self._built:
            return
        with self._lock:
            if not self._built:
                self._build()

    def _build(self) -> None:
        import yaml

        synonyms_file = self._synonyms_file or synonyms_path()
        if synonyms_file.exists():
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: 10× faster
            data = yaml.load(synonyms_file.read_text(encoding="utf-8"), Loader=loader) or {}
        else:  # search still works, only without everyday words: say so for staff
            log.warning("no everyday-word map at %s; set KIOSK_RESOURCES_DIR", synonyms_file)
            data = {}
        self.entries: list[_Entry] = []
        for i, s in enumerate(self._services):
            full, ini = pinyin_keys(s.name)
            self.entries.append(_Entry(s, s.name, s.category, _body_text(s), full, ini, i))
        # everyday words -> the indexes of the services they lead to (only those that exist here)
        self.synonyms: dict[str, dict[int, float]] = {}
        for word, target in (data.get("words") or {}).items():
            target = target or {}
            topics = set(target.get("topics") or [])
            names = target.get("names") or []
            ids = set(target.get("services") or [])
            audience = target.get("audience")
            hits: dict[int, float] = {}
            for e in self.entries:
                if topics & set(e.service.topics) or any(n in e.name for n in names) or e.service.id in ids:
                    hits[e.order] = W_SYNONYM
                elif audience and e.service.audience == audience:
                    hits[e.order] = W_AUDIENCE  # 公司 leans towards the employers' services
            self.synonyms[str(word)] = hits
        tok = tokenizer()
        for word in self.synonyms:  # the catalogue's own words stay whole (慢特病, 社保卡)
            if _CJK.fullmatch(word) and len(word) >= 2 and tok.FREQ.get(word, 0) < 1000:
                tok.add_word(word, 1000)
        self._tok = tok
        self.name_words: list[str] = []  # the vocabulary offered to people (candidate bar, handwriting)
        seen: set[str] = set()
        self._in_names: set[str] = set()

        def add(w: str, into: list[str] | None) -> None:
            if w in seen or not _CJK.fullmatch(w):
                return
            seen.add(w)
            if into is not None:
                into.append(w)

        for word in self.synonyms:
            add(word, self.name_words)
        for e in self.entries:
            for w in self._cut(e.name) + self._cut(e.category):
                add(w, self.name_words)
                self._in_names.add(w)
        body_words: list[str] = []
        for e in self.entries:
            for w in self._cut(e.body):
                if len(w) >= 2:
                    add(w, body_words)
        self._words = self.name_words + body_words
        self._bigrams: dict[str, list[str]] = {}
        for w in self.name_words:
            for i in range(len(w) - 1):
                self._bigrams.setdefault(w[i:i + 2], []).append(w)
        self._rank = {w: i for i, w in enumerate(self._words)}
        self._exact: dict[str, list[str]] = {}
        self._fuzzy: dict[str, list[str]] = {}
        self._missing: dict[str, list[str]] = {}
        prefix_keys: list[tuple[str, str]] = []
        for w in self._words:
            syl = [s.lower() for s in _lazy_pinyin(w)]
            if not all(s.isalpha() and s.isascii() for s in syl):
                continue
            full = "".join(syl)
            for k in _word_keys(syl):
                self._exact.setdefault(k, []).append(w)
                self._fuzzy.setdefault(fuzzy(k), []).append(w)
                prefix_keys.append((k, w))
            if len(syl) >= 2:
                for i in range(len(full)):
                    self._missing.setdefault(full[:i] + full[i + 1:], []).append(w)
            prefix_keys.append((full, w))
        # function words typed in full (去 in quhainan, 怎么 in zenmebaoxiao): read, then ignored
        for w in STOPWORDS - set(self._words):
            full = "".join(_lazy_pinyin(w)).lower()
            if full.isalpha() and full.isascii():
                self._exact.setdefault(full, []).append(w)
        prefix_keys.sort()
        self._prefix = prefix_keys
        self._prefix_keys = [k for k, _ in prefix_keys]
        fz = sorted({(fuzzy(k), w) for k, w in prefix_keys})
        self._fprefix = fz
        self._fprefix_keys = [k for k, _ in fz]
        self._hits_cache: dict[str, dict[int, float]] = {}
        self._segments: dict[tuple[str, bool, bool], dict[str, float]] = {}
        self._built = True

    def _cut(self, text: str) -> list[str]:
        out = []
        for chunk in _CJK.findall(text):
            out += [w for w in self._tok.lcut(chunk, HMM=False)]
        return out

    # -- vocabulary --------------------------------------------------------------------------
    def vocabulary(self) -> list[str]:
        """The words people may look for here: the words of the service names and
        categories, and the everyday words of the map (whether or not they find
        something in this region; `finds()` tells)."""
        self.warm_up()
        return list(self.name_words)

    def finds(self, word: str) -> bool:
        """True when a tapped word finds a service in this region by its name, category
        or what the word means (not only a mention in a body text: 社保卡 is named in
        Fushun's materials, but Fushun's hall has no card service)."""
        self.warm_up()
        if any(word in e.name for e in self.entries):
            return True
        return any(v > W_BODY for token in self._chinese_tokens(word) for w in token
                   for v in self._word_hits(w).values())

    # -- scoring -------------------------------------------------------------------------------
    def _word_hits(self, word: str) -> dict[int, float]:
        """Service index -> how well `word` matches it (name, category, body, everyday word)."""
        hits = self._hits_cache.get(word)
        if hits is not None:
            return hits
        hits = {}
        for e in self.entries:
            score = 0.0
            if word in e.name:
                score = W_NAME + (W_NAME_START if e.name.startswith(word) else 0.0)
            elif word in e.category:
                score = W_CATEGORY
            elif word in e.body:
                score = W_BODY
            if score:
                hits[e.order] = score
        for i, weight in self.synonyms.get(word, {}).items():
            hits[i] = max(hits.get(i, 0.0), weight)
        self._hits_cache[word] = hits
        return hits

    def _idf(self, hits: dict[int, float]) -> float:
        n = len(self.entries)
        return 0.5 + math.log((n + 1) / (len(hits) + 0.5)) if hits else 0.0

    def _score_tokens(self, tokens: list[dict[str, float]], scores: dict[int, float], scale: float = 1.0) -> None:
        """Add to `scores` the relevance of each token (alternative words, each with a cost)."""
        for alternatives in tokens:
            best: dict[int, float] = {}
            for word, cost in alternatives.items():
                if word in STOPWORDS:
                    continue
                hits = self._word_hits(word)
                if not hits:
                    continue
                factor = self._idf(hits) * max(0.2, 1.0 - 0.25 * cost) * min(1.0, 0.5 + 0.25 * len(word))
                if len(alternatives) > 1 and word not in self._in_names:
                    factor *= 0.8  # of the words letters could be, the ones on the screen come first
                for i, s in hits.items():
                    v = s * factor
                    if v > best.get(i, 0.0):
                        best[i] = v
            for i, v in best.items():
                scores[i] = scores.get(i, 0.0) + v * scale

    def _chinese_tokens(self, q: str) -> list[dict[str, float]]:
        """The words of a Chinese query, each as {word: cost} alternatives."""
        tokens: list[dict[str, float]] = []
        everyday = [w for w in self.synonyms if len(w) >= 2 and w in q]  # even where jieba splits (卡丢了)
        tokens += [{w: 0.0} for w in everyday]
        cut = self._tok.lcut_for_search(q, HMM=True)
        known = {w for w in cut if self._word_hits(w)}
        seen = set(everyday)
        for w in cut:
            if len(w) >= 2 and len(set(w)) == 1:
                w = w[0]  # 查查, 看看: said twice, meant once
            if w in STOPWORDS or w in seen or not _CJK.fullmatch(w):
                continue
            seen.add(w)
            if any(w in longer for longer in everyday):
                continue  # 孩子 inside 生孩子: the everyday word already says what is meant
            hits = self._word_hits(w)
            if len(w) == 1 and len(q) > 2 and not hits:
                continue
            if len(w) >= 2 and not hits:
                # a word the catalogue does not know (心脑血管): the known words that share
                # two characters with it (脑血栓), at a lower weight, unless another word of
                # the query already says those two characters (参保情况 after 参保)
                pairs = {w[i:i + 2] for i in range(len(w) - 1)} - known
                near = {k: 3.0 for b in pairs for k in self._bigrams.get(b, ()) if k != b}
                if near:
                    tokens.append(near)
                continue
            tokens.append({w: 0.0})
        return tokens

    def _rank_scores(self, scores: dict[int, float], limit: int) -> list[Service]:
        if not scores:
            return []
        top = max(scores.values())
        ranked = sorted((i for i, v in scores.items() if v >= top * 0.08), key=lambda i: (-scores[i], i))
        return [self.entries[i].service for i in ranked[:limit]]

    # -- searching -----------------------------------------------------------------------------
    def search(self, query: str, limit: int = 30) -> list[Service]:
        """Services for `query` (Chinese words or phrases, or pinyin), best first."""
        self.warm_up()
        q = _NON_WORD.sub("", query).lower()
        if not q:
            return []
        scores: dict[int, float] = {}
        if q.isascii():
            if not q.isalpha():
                return []
            self._score_pinyin(q, scores)
        else:
            self._score_chinese(q, scores)
        return self._rank_scores(scores, limit)

    def _score_chinese(self, q: str, scores: dict[int, float]) -> None:
        for e in self.entries:  # the words of a name, as written by hand or tapped
            if q == e.name:
                scores[e.order] = scores.get(e.order, 0.0) + 60
            elif e.name.startswith(q):
                scores[e.order] = scores.get(e.order, 0.0) + 40
            elif q in e.name:
                scores[e.order] = scores.get(e.order, 0.0) + 30
        self._score_tokens(self._chinese_tokens(q), scores)

    def _score_pinyin(self, q: str, scores: dict[int, float]) -> None:
        for e in self.entries:  # the name itself, in full or as initials
            if e.full.startswith(q) or e.initials.startswith(q):
                scores[e.order] = scores.get(e.order, 0.0) + 15 + (15 if len(q) >= 3 else 0)
        readings = self.decode(q)
        for rank, (_cost, tokens) in enumerate(readings):
            scale = 1.0 if rank == 0 else 0.3  # the likeliest reading counts, the others add a little
            self._score_tokens(tokens, scores, scale=scale)
            if len(tokens) < 2:
                continue
            # the words found in the name in the order they were typed (住院…报销 for zybx,
            # not 保险…转移)
            for e in self.entries:
                at = 0
                for alternatives in tokens:
                    positions = [p for p in (e.name.find(w, at) for w in alternatives) if p >= 0]
                    if not positions:
                        break
                    at = min(positions) + 1
                else:
                    scores[e.order] = scores.get(e.order, 0.0) + 25 * scale
            # the words read together, as a name writes them (参保登记 for canbaodengji)
            combos = [""]
            for alternatives in tokens:
                best = sorted(alternatives, key=lambda w: (alternatives[w], self._rank.get(w, 1 << 30)))[:3]
                combos = [c + w for c in combos for w in best][:27]
            for e in self.entries:
                if any(c in e.name for c in combos):
                    scores[e.order] = scores.get(e.order, 0.0) + 20 * scale

    def decode(self, q: str, paths_kept: int = 3) -> list[tuple[float, list[dict[str, float]]]]:
        """The likeliest ways to read pinyin `q` as words of the vocabulary: a list of
        (cost, [ {word: cost} per segment ]), cheapest first. Costs: 0 exact, 0.5 a word
        still being typed, 1 a Northeastern confusion, 2 a missing or extra letter."""
        self.warm_up()
        found = self._decode(q, edits=False, keep=paths_kept)
        if len(q) >= EDIT_MIN and (not found or found[0][0] >= 1.5):
            found = sorted(found + self._decode(q, edits=True, keep=paths_kept), key=lambda t: t[0])[:paths_kept]
            if not found or found[0][0] >= 2.0:  # one extra letter typed (n more readings: only if needed)
                seen = set()
                for i in range(len(q)):
                    v = q[:i] + q[i + 1:]
                    if v in seen:
                        continue
                    seen.add(v)
                    for cost, tokens in self._decode(v, edits=False, keep=1):
                        found.append((cost + 2, tokens))
                found.sort(key=lambda t: t[0])
                found = found[:paths_kept]
        return found

    def _segment(self, seg: str, last: bool, edits: bool) -> dict[str, float]:
        """The words `seg` may be, with their costs (cached: typing repeats segments)."""
        key = (seg, last, edits)
        out = self._segments.get(key)
        if out is None:
            if len(self._segments) > 50000:
                self._segments.clear()
            out = self._segments[key] = self._segment_uncached(seg, last, edits)
        return out

    def _segment_uncached(self, seg: str, last: bool, edits: bool) -> dict[str, float]:
        out: dict[str, float] = {}

        def put(words, cost):
            for w in words:
                if cost < out.get(w, 99):
                    out[w] = cost

        put(self._exact.get(seg, ()), 0.0)
        if len(seg) >= 2:
            put(self._fuzzy.get(fuzzy(seg), ()), 1.0)
        if edits:
            put(self._missing.get(seg, ()), 2.0)
        if last and not out or last and len(seg) <= 12:
            typing = 0.5 if len(seg) >= 2 else 0.8  # a word being typed; one letter says little
            for keys, pairs, s, cost in ((self._prefix_keys, self._prefix, seg, typing),
                                         (self._fprefix_keys, self._fprefix, fuzzy(seg), 1.2)):
                if cost > 1 and out:
                    break
                i = bisect.bisect_left(keys, s)
                end = bisect.bisect_left(keys, s + "{")  # '{' sorts after every letter
                words = {pairs[k][1] for k in range(i, end)} - out.keys()
                # the words on the screen and in the everyday map first, then body words
                for w in sorted(words, key=lambda w: self._rank.get(w, 1 << 30))[:PREFIX_WORDS]:
                    out[w] = cost
        return out

    def _decode(self, q: str, edits: bool, keep: int):
        n = len(q)
        # paths[i]: up to `keep` cheapest readings of q[:i] as (cost, segments)
        paths: list[list[tuple[float, list[dict[str, float]]]]] = [[] for _ in range(n + 1)]
        paths[0] = [(0.0, [])]
        for i in range(n):
            if not paths[i]:
                continue
            for j in range(i + 1, min(n, i + MAX_KEY) + 1):
                alternatives = self._segment(q[i:j], j == n, edits)
                if not alternatives:
                    continue
                seg_cost = min(alternatives.values()) + 0.35  # fewer, longer words read better
                if j - i <= 6 and all(len(w) == 1 for w in alternatives):
                    seg_cost += 0.6  # a lone character is rarely what was meant
                for cost, segs in paths[i]:
                    paths[j].append((cost + seg_cost, segs + [alternatives]))
                paths[j].sort(key=lambda t: t[0])
                del paths[j][keep:]
        return [(round(c - 0.35, 2), segs) for c, segs in paths[n]]

    # -- the candidate bar ---------------------------------------------------------------------
    def candidates(self, query: str, limit: int = 8) -> list[str]:
        """Chinese words the pinyin typed so far could be (住院 for `zhuy`), from the
        catalogue's own vocabulary; only words that find something here."""
        self.warm_up()
        q = _NON_WORD.sub("", query).lower()
        if not q or not q.isascii() or not q.isalpha():
            return []
        out: list[str] = []
        for rank, (_cost, segs) in enumerate(self.decode(q)):
            if len(segs) == 1:
                words = sorted(segs[0].items(), key=lambda kv: (kv[1], self._rank.get(kv[0], 1 << 30)))
                out += [w for w, _ in words if w not in STOPWORDS]
            elif rank == 0:  # several words: the likeliest reading of each, written together
                out.append("".join(min(s.items(), key=lambda kv: (kv[1], self._rank.get(kv[0], 1 << 30)))[0]
                                   for s in segs))
        result: list[str] = []
        for w in out:
            if w not in result and self._word_hits(w) or (w not in result and self.search(w, limit=1)):
                result.append(w)
            if len(result) >= limit:
                break
        return result

    # -- never a dead end ----------------------------------------------------------------------
    def suggest(self, query: str, limit: int = 3) -> list[Service]:
        """The closest services to a query that found nothing (您是不是要找): Chinese by the
        characters it shares with the names, pinyin by letters in common."""
        self.warm_up()
        from difflib import SequenceMatcher

        q = _NON_WORD.sub("", query).lower()
        if not q or not self.entries:
            return []
        if q.isascii():
            def closeness(e: _Entry) -> float:
                return max(SequenceMatcher(None, q, e.full).ratio(),
                           SequenceMatcher(None, q, e.initials).ratio())
        else:
            chars = set(q)

            def closeness(e: _Entry) -> float:
                return (3 * len(chars & set(e.name)) + len(chars & set(e.category)) + 0.5 * len(chars & set(e.body))
                        + SequenceMatcher(None, q, e.name).ratio())
        ranked = sorted(self.entries, key=lambda e: (-closeness(e), e.order))
        return [e.service for e in ranked[:limit]]


def _body_text(s: Service) -> str:
    """What a service says beyond its name: intro (受理条件 …), materials, questions."""
    parts = [t.text for t in s.intro]
    for m in s.materials:
        parts += [m.text, m.name or "", m.note or ""]
    for q in s.questions:
        parts += [q.text, *(o.label for o in q.options)]
    return "\n".join(p for p in parts if p)


# -- module-level helpers for other parts of the kiosk (handwriting, CLI) --------------------------
_INDEXES: dict[tuple[str, str], SearchIndex] = {}


def index_for(region: str, catalogue=None) -> SearchIndex:
    """The search index of a region, built once (from `catalogue`, else the installed one)."""
    if catalogue is None:
        from kiosk.db.service import CatalogueService

        catalogue = CatalogueService(paths.catalogue_db_path())
    key = (str(getattr(catalogue, "db_path", "")), region)
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = SearchIndex(catalogue.services(region))
    return index


def vocabulary(region: str, catalogue=None) -> list[str]:
    """The catalogue's vocabulary in `region`: the words of the service names and
    categories and the everyday words of resources/synonyms.yaml (what a handwriting
    decoder may read written characters as)."""
    return index_for(region, catalogue).vocabulary()


def search(region: str, text: str, catalogue=None, limit: int = 30) -> list[Service]:
    """Search `region` with Chinese text (or pinyin), ranked as on the kiosk's screen."""
    return index_for(region, catalogue).search(text, limit=limit)
