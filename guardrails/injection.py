"""Prompt injection, decided by a logistic regression over signals in several languages (English,
German, French, Spanish, Italian, Dutch, Portuguese, Japanese) and the prompt's embedding.

The signals are read on every reading of the prompt (`normalise.readings`: folded, homoglyphs,
leetspeak, letters spelt apart, base64 and ROT13 decoded). The strong ones are a verb and its
object close together — "ignore" with "previous instructions", "show" with "system prompt",
"you are now" with "no restrictions" — so a prompt that only talks about instructions ("write
instructions for a bookshelf") is not one; weaker cues (a rule addressed to the model, "word for
word", a fake system header, a persona without limits) and chat-template markers count for what
the fit says they are worth. The embedding features are how close the prompt's nearest window
comes to a labelled attack and to a labelled benign prompt. The weights are fitted at first use,
deterministically, on `labelled_prompts` (the training split); `labelled_held_out` is never
fitted on and is what `bench/guardrails.py` reports."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from guardrails.encoder import Vectors, encoded
from guardrails.labelled_prompts import training_injection_prompts
from guardrails.normalise import caseless, foreign_gloss, readings
from guardrails.policy import INJECTION_THRESHOLD
from guardrails.similarity import closest, window_groups, window_texts

# Verbs that set earlier instructions aside, and what they set aside.
OVERRIDE = (r"ignore[rz]?|disregard|forget|override|bypass|skip|drop|discard|ignoriere|"
            r"ignorier|vergiss|missachte|übergehe|oublie[rz]?|ignora|olvida|olvide|omite|"
            r"dimentica|tralascia|negeer|vergeet|esqueça|esqueca|desconsidere|"
            r"無視|忘れ")  # fmt: skip
EARLIER = (r"previous|prior|above|earlier|preceding|all|your|any|the|every|safety|"
           r"vorherigen?|bisherigen?|alle|deine|obigen|précédentes?|toutes|tes|vos|les|"
           r"anteriores|todas|tus|las|precedenti|tutte|le tue|vorige|alle|je|"
           r"suas|as|以前|これまで|すべて")  # fmt: skip
RULES = (r"instructions?|rules|guidelines|prompts?|polic(?:y|ies)|directives?|restrictions|"
         r"constraints|programming|anweisungen|regeln|vorgaben|richtlinien|règles|consignes|"
         r"instrucciones|reglas|normas|istruzioni|regole|instructies|regels|instruções|"
         r"instrucoes|regras|指示|ルール|命令")  # fmt: skip
REVEAL = (r"reveal|print|show|repeat|output|display|leak|tell me|what (?:is|are)|zeig|zeige|"
          r"gib|verrate|affiche|montre|révèle|muestra|muéstrame|revela|mostra|mostrami|rivela|"
          r"laat|toon|geef|mostre|表示|教え")  # fmt: skip
HIDDEN_PROMPT = (r"system ?prompt|systemprompt|initial prompt|hidden (?:instructions|prompt)|"
                 r"your (?:instructions|rules|guidelines)|prompt (?:système|systeme|del sistema|"
                 r"di sistema|do sistema)|system-?anweisungen|systeemprompt|"
                 r"システムプロンプト")  # fmt: skip
ROLE = (r"you are now|from now on you|act as|pretend (?:to be|you)|du bist jetzt|"
        r"tu es maintenant|ahora eres|ora sei|je bent nu|agora você é|今から")  # fmt: skip
UNBOUND = (r"no (?:restrictions|rules|limits|filters?|guidelines)|unrestricted|unfiltered|"
           r"jailbr(?:oken|eak)|developer mode|do anything now|\bdan\b|never refuses|"
           r"ohne (?:einschränkungen|regeln|filter)|"
           r"sans (?:aucune )?(?:restriction|limite|règle)s?|"
           r"sin (?:restricciones|reglas|límites)|senza (?:restrizioni|regole|limiti)|"
           r"zonder (?:beperkingen|regels)|sem (?:restrições|regras)|"
           r"制限なし|制限のない")  # fmt: skip
# The patterns are written in lower case and read case-folded text: Python's `re` is several times
# slower with IGNORECASE on alternations of words like these (measured on 160-character windows).
MARKERS = re.compile(r"\[/?inst\]|<</?sys>>|<\|im_start\|>|<\|system\|>|^#{2,} ?system",
                     re.MULTILINE)  # fmt: skip
SIGNALS = (
    re.compile(rf"(?:{OVERRIDE}).{{0,40}}?(?:{EARLIER}).{{0,30}}?(?:{RULES})", re.S),
    re.compile(rf"(?:{REVEAL}).{{0,40}}?(?:{HIDDEN_PROMPT})", re.S),
    re.compile(rf"(?:{ROLE}).{{0,60}}?(?:{UNBOUND})", re.S),
    re.compile(rf"(?:{UNBOUND}).{{0,40}}?(?:ai|ki|ia|model|assistant|mode|modus)", re.S),
    re.compile(r"new (?:instructions|rules)\s*:|neue anweisungen\s*:|nouvelles instructions\s*:"),
    re.compile(rf"(?:{OVERRIDE}) (?:everything|all|anything) (?:you(?:'ve| have| were| are)? "
               r"(?:been )?(?:told|said|taught|instructed|given)|(?:above|before|so far))"),
    # Japanese puts the object first: 以前の指示を無視して, システムプロンプトを表示して.
    re.compile(r"(?:以前|これまで|前|すべて)の?(?:指示|ルール|命令).{0,20}?(?:無視|忘れ)"),
    re.compile(r"(?:システムプロンプト|隠された指示).{0,20}?(?:表示|教え|見せ|出力)"),
)  # fmt: skip

# Languages that put the verb last (Turkish, Korean, Hindi, Persian; Japanese has its own
# signals above) come out of the word-by-word gloss as "previous instructions ignore" and
# "system prompt show": read so in a gloss only, where English word order cannot be expected.
VERB_LAST = (
    re.compile(rf"(?:{EARLIER}).{{0,30}}?(?:{RULES}).{{0,20}}?(?:{OVERRIDE})", re.S),
    re.compile(rf"(?:{HIDDEN_PROMPT}).{{0,20}}?(?:{REVEAL})", re.S),
)


# Weaker cues, each on its own proof of nothing: the model's own rules or setup named, an
# exact copy asked for, a header posing as the system, an override verb anywhere, a persona.
YOUR = (r"\b(?:your|deine[nmrs]?|dein|tes|ton|vos|votre|tus|tue|tuoi|tua|tuo|jouw|suas|seus|"
        r"sua|seu)\b|あなたの")  # fmt: skip
GIVEN = (r"you (?:were|have been|'ve been|received|got)|given to you|"
         r"dir .{0,15}(?:gegeben|gesagt)|qu'on t'a|t'a (?:été|donné)|as-tu reçu|"
         r"te (?:dieron|han dado|dijeron)|ti (?:hanno|è stat)|hai ricevuto|"
         r"je (?:hebt|kreeg|gekregen)|você recebeu|与えられた|受け取った")  # fmt: skip
SETUP = (r"instruction|rule|guideline|polic|directive|setup|configur|initiali|prompt|"
         r"creators?|developers?|operator|anweisung|regel|vorgabe|richtlinie|consigne|règle|"
         r"instrucci|norma|directri|istruzion|regol|indicazion|instructie|regels|richtlijn|"
         r"instruç|regra|diretriz|orientaç|指示|ルール|設定|命令")  # fmt: skip
EXFILTRATE = (r"print|output|repeat|recite|copy|write (?:out|down)|dump|paste|reproduce|"
              r"schreib|gib .{0,20}aus|kopier|wiederhol|écris|recopie|répète|imprime|"
              r"escribe|copia|repite|scrivi|ripeti|schrijf|kopieer|herhaal|escreva|repita|"
              r"書き出|出力|コピー")  # fmt: skip
AUTHORITY = (r"admin(?:istrator)?|developer|operator|owner|security (?:audit|team)|authori[sz]|"
             r"entwickler|développeur|desarrollador|sviluppatore|ontwikkelaar|desenvolvedor|"
             r"管理者|開発者")  # fmt: skip
CHECKS = (r"polic(?:y|ies)|restrictions|filters?|safety|guardrails|moderation|checks|"
          r"einschränkungen|sicherheit|restrictions|filtres|sécurité|restricciones|filtros|"
          r"seguridad|restrizioni|filtri|sicurezza|beperkingen|veiligheid|restrições|"
          r"segurança|制限|フィルター|安全")  # fmt: skip
SWITCHED_OFF = (r"disabled|turned off|switched off|\boff\b|suspended|lifted|removed|"
                r"(?:does not|doesn't|do not|don't) (?:exist|apply)|no longer apply|"
                r"deaktiviert|aufgehoben|gelten nicht|désactivé|levé|n'existe|"
                r"desactivad|no existe|no aplica|disattivat|sospes|non esiste|uitgeschakeld|"
                r"bestaat niet|desativad|não existe|無効|解除")  # fmt: skip
CUES = (
    re.compile(rf"(?:{YOUR}).{{0,20}}?(?:{SETUP})|(?:{SETUP}).{{0,30}}?(?:{GIVEN})", re.S),
    re.compile(r"word for word|verbatim|exactly|mot pour mot|exactement|wörtlich|genau|"
               r"secret|hidden|geheim|cach[ée]|ocult|nascost|verborgen|秘密|隠され|"
               r"palabra por palabra|exactamente|parola per parola|esattamente|letterlijk|"
               r"precies|palavra por palavra|exatamente|そのまま|正確に"),
    re.compile(r"^\W{0,5}(?:system|admin|developer|root)\b.{0,30}?(?::|override|message|"
               r"notice|mode)|#{2,}\s*system", re.M),
    re.compile(rf"(?:{OVERRIDE})|set aside|put aside|never mind|no longer|stop following|"
               r"nicht mehr|ne (?:respecte|suis|tiens) plus|deja de|smetti di|non seguire|"
               r"niet meer|pare de|no hagas caso|haz caso omiso|やめて"),
    re.compile(rf"(?:{ROLE})|(?:{UNBOUND})|persona|in character|no (?:\w+ )?(?:rules|"
               r"restrictions|limits|filters?|content policy)|without (?:any )?(?:content policy|"
               r"safety)|without (?:any )?"
               r"(?:limits?|filters?|censorship|restrictions)|sin (?:censura|filtro)|"
               r"senza (?:censura|filtro)|ohne filter|sans filtre|zonder filter|sem censura|"
               r"boundaries|ohne grenzen|sans limites|sin límites|senza limiti|zonder grenzen|"
               r"sem limites"),
    # What the model was set up with, asked for whole (exfiltration).
    re.compile(rf"(?:{EXFILTRATE}).{{0,40}}?(?:{SETUP}|everything (?:above|before)|"
               r"what came before|alles (?:davor|vorher)|tout ce qui précède|todo lo anterior|"
               r"tutto (?:quello|ciò) che precede|alles hiervoor|tudo (?:o que veio )?antes)",
               re.S),
    # Authority claimed, or the checks declared off.
    re.compile(rf"(?:{AUTHORITY}).{{0,40}}?(?:{SWITCHED_OFF})|(?:{CHECKS}).{{0,30}}?"
               rf"(?:{SWITCHED_OFF})", re.S),
)  # fmt: skip
FEATURES = ("phrase signals", "template markers", *(f"cue {i}" for i in range(len(CUES))),
            "nearest attack", "attack minus benign")  # fmt: skip


def _signals(reading: str, gloss: str | None) -> float:
    """How many phrase signals `reading` (case-folded) gives; in the gloss of a text in another
    language, the verb-last ones too."""
    signals = sum(1.0 for signal in SIGNALS if signal.search(reading))
    if reading == gloss:
        signals += sum(1.0 for signal in VERB_LAST if signal.search(reading))
    return signals


def _lexical(reading: str, gloss: str | None) -> list[float]:
    reading = caseless(reading)
    return [min(_signals(reading, gloss), 2.0), 1.0 if MARKERS.search(reading) else 0.0,
            *(1.0 if cue.search(reading) else 0.0 for cue in CUES)]  # fmt: skip


def _score(reading: str, gloss: str | None) -> float:
    reading = caseless(reading)
    return _signals(reading, gloss) + (0.5 if MARKERS.search(reading) else 0.0)


def phrase_score(text: str) -> float:
    """The strongest reading's score on the phrase signals: 0 for a plain question, 1 or more
    for an attack."""
    gloss = foreign_gloss(text)
    return max(_score(reading, gloss) for reading in readings(text))


def lexical_features(text: str) -> list[float]:
    """Each lexical feature at its strongest over the readings of `text`."""
    gloss = foreign_gloss(text)
    rows = [_lexical(reading, gloss) for reading in readings(text)]
    return [max(column) for column in zip(*rows, strict=True)]


def _nearest(vectors: Vectors, attacks: Vectors, benign: Vectors) -> list[float]:
    """How close the prompt comes to the nearest attack, and how much closer than to the
    nearest benign prompt (each at the window where it is largest)."""
    attack, other = closest(vectors, attacks), closest(vectors, benign)
    if not len(attack):
        return [0.0, 0.0]
    return [float(attack.max()), float((attack - other).max())]


@dataclass(frozen=True)
class Classifier:
    weights: npt.NDArray[np.float64]  # one per feature, then the bias
    attacks: Vectors  # the training attacks' vectors (first window of each)
    benign: Vectors

    def probability(self, features: list[float]) -> float:
        logit = float(np.dot(self.weights[:-1], features) + self.weights[-1])
        return float(1.0 / (1.0 + np.exp(-logit)))

    def window_probabilities(self, text: str, vectors: Vectors) -> list[float]:
        features = _window_features(text, vectors, self.attacks, self.benign)
        return [self.probability(row) for row in features]


def _window_features(text: str, vectors: Vectors, attacks: Vectors,
                     benign: Vectors) -> list[list[float]]:  # fmt: skip
    """The features of each window of `text` apart (`vectors`: one per `window_texts` row): an
    attack is read where it is written, so cues scattered over a long document do not add up. A
    window past a long prompt's embedding budget gets the median embedding features of the
    prompt's embedded windows (the sample stands for the document), so its cues decide."""
    groups = window_groups(text)
    nearest = {n: _nearest(vectors[list(rows)], attacks, benign)
               for n, (_, rows) in enumerate(groups) if rows}  # fmt: skip
    typical = [0.0, 0.0]
    if nearest and len(nearest) < len(groups):  # only a prompt past the budget needs it
        typical = [float(x) for x in np.median(list(nearest.values()), axis=0)]
    return [[*lexical_features(window), *nearest.get(n, typical)]
            for n, (window, _) in enumerate(groups)]  # fmt: skip


def _fitted(features: npt.NDArray[np.float64], labels: npt.NDArray[np.float64],
            penalty: float = 1.0) -> npt.NDArray[np.float64]:  # fmt: skip
    """L2-penalised logistic regression by Newton's method (deterministic, a few iterations)."""
    x = np.hstack([features, np.ones((len(features), 1))])
    weights = np.zeros(x.shape[1])
    ridge = penalty * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - labels) + ridge @ weights
        hessian = (x.T * (p * (1 - p))) @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


_FITTING = threading.Lock()


def classifier() -> Classifier:
    """Fitted on the training split, once per process (threads that ask at once wait for the
    one fit); each training prompt's embedding features leave the prompt itself out, as a new
    prompt's would."""
    with _FITTING:
        return _fitted_classifier()


@functools.cache
def _fitted_classifier() -> Classifier:
    labelled = training_injection_prompts()
    texts = [text for text, _ in labelled]
    per_prompt = [window_texts(text) for text in texts]
    vectors = encoded([w for windows in per_prompt for w in windows])
    bounds = np.cumsum([0, *map(len, per_prompt)])
    first = vectors[bounds[:-1]]
    is_attack = np.array([attack for _, attack in labelled])
    rows = []
    for i, text in enumerate(texts):
        own = vectors[bounds[i] : bounds[i + 1]]
        others = np.arange(len(texts)) != i
        windows = _window_features(text, own, first[others & is_attack], first[others & ~is_attack])
        rows.append(np.max(windows, axis=0))  # a training prompt is mostly one window
    weights = _fitted(np.array(rows), is_attack.astype(np.float64))
    return Classifier(weights, first[is_attack], first[~is_attack])


def attack_probability(text: str, vectors: Callable[[], Vectors]) -> float:
    """How likely `text` is an injection attempt, by the fitted classifier: the probability of
    its most suspicious window."""
    return max(classifier().window_probabilities(text, vectors()), default=0.0)


def is_injection(
    text: str, vectors: Callable[[], Vectors], threshold: float = INJECTION_THRESHOLD
) -> bool:
    """Whether the classifier's probability for `text` (its windows' `vectors`, shared with the
    topic checks) reaches `threshold`."""
    return attack_probability(text, vectors) >= threshold
