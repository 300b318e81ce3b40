"""A word-by-word English gloss of a prompt in German, French, Spanish, Italian, Dutch, Portuguese
or Japanese, so that the English-first local embedding model (all-MiniLM-L6-v2) can compare it
with a topic's English examples: "Combien gagne ma collègue ?" reads "how much earn my colleague
?". The vocabulary is what people ask a workplace assistant about (pay, jobs, people, health,
law, money, customers, security) plus the function words that carry a question; a word not
listed is kept as written. It is a crutch, measured in `bench/guardrails.py`: a topic asked in
words outside this list, or in another language, is only as close as the model makes it."""

from __future__ import annotations

import re

from guardrails.gloss_lexicon import SPACED, UNSPACED

# English word <- the same word in de, fr, es, it, nl, pt (space-separated; multi-word
# phrases first where a language needs several words).
_VOCABULARY = {
    "how much": "wie viel wieviel combien cuánto cuanto cuánta cuanta quanto quanta hoeveel",
    "how": "wie comment cómo como come hoe",
    "what": "welche welcher welches quel quelle quels quelles qué que cosa che wat qual quais",
    "who": "wer qui quién quien chi wie quem",
    "which": "welche welcher lequel laquelle cuál cual quale welke",
    "when": "wann quand cuándo cuando quando wanneer",
    "where": "wo où dónde donde dove waar onde",
    "why": "warum pourquoi perché waarom porque",
    "is": "ist est es è is é",
    "are": "sind sont sono zijn são",
    "will be": "wird sera será sarà zal",
    "there are": "gibt hay",
    "there will be": "aura-t-il habrá saranno komen vão haverá",
    "earn": "verdient verdienen gagne gagnent gana ganan cobra cobran guadagna guadagnano "
    "verdient ganha ganham",
    "salary": "gehalt gehälter lohn löhne salaire salaires rémunération sueldo sueldos salario "
    "salarios stipendio stipendi retribuzione salaris loon salário salários "
    "remuneração",
    "pay": "bezahlung bezahlt paie payé pagado pagan paga pagato betaald pagamento pago",
    "income": "einkommen revenu revenus ingresos reddito inkomen renda rendimento",
    "bonus": "prämie prima premio premie bônus",
    "colleague": "kollege kollegin kollegen collègue collègues compañero compañera colega "
    "colleghi collega collega's",
    "boss": "chefin patron jefe jefa capo baas chefe",
    "manager": "manager managerin responsable gerente responsabile leidinggevende gestor",
    "director": "direktor direktorin directeur directrice director directora direttore "
    "directeur diretor diretora",
    "employee": "mitarbeiter mitarbeiterin angestellte employé employés empleado empleados "
    "dipendente dipendenti werknemer medewerker funcionário funcionários",
    "team": "team équipe equipo squadra ploeg equipe",
    "department": "abteilung département departamento reparto afdeling setor",
    "company": "firma unternehmen entreprise société empresa azienda società bedrijf empresa",
    "year": "jahr année año anno jaar ano",
    "month": "monat mois mes mese maand mês",
    "layoffs": "entlassungen kündigungen licenciements despidos licenziamenti ontslagen demissões",
    "lay off": "entlassen licencier despedir licenziare ontslaan demitir",
    "dismissal": "kündigung licenciement despido licenziamento ontslag demissão",
    "job": "stelle arbeitsplatz job emploi poste trabajo puesto lavoro posto baan emprego",
    "restructuring": "umstrukturierung restructuration reestructuración ristrutturazione "
    "reorganisatie reestruturação",
    "merger": "fusión fusione fusie fusão",
    "sales": "vertrieb verkauf ventes ventas vendite verkoop vendas",
    "marketing": "marketing mercadotecnia",
    "finance": "finanzen finances finanzas finanza financiën finanças",
    "legal": "rechtsabteilung juridique jurídico legale juridische",
    "human resources": "personalabteilung rh",
    "health": "gesundheit santé salud salute gezondheid saúde",
    "illness": "krankheit maladie enfermedad malattia ziekte doença",
    "doctor": "arzt ärztin médecin médico medico dokter",
    "medicine": "medikament médicament medicamento farmaco medicijn remédio",
    "diagnosis": "diagnose diagnostic diagnóstico diagnosi diagnose",
    "lawsuit": "klage procès demanda causa rechtszaak processo",
    "lawyer": "anwalt avocat abogado avvocato advocaat advogado",
    "customer": "kunde kunden client clients cliente clientes clienti klant klanten",
    "data": "daten données datos dati gegevens dados",
    "password": "passwort kennwort contraseña wachtwoord senha",
    "price": "preis prix precio prezzo prijs preço",
    "money": "geld argent dinero soldi geld dinheiro",
    "stock": "aktie aktien acción acciones azione azioni aandeel aandelen ação ações",
    "invest": "investieren investir invertir investire beleggen investir",
    "competitor": "konkurrent concurrent competidor concorrente concurrent concorrente",
    "politics": "politik politique política politica politiek",
    "election": "wahl élection elección elezione verkiezing eleição",
    "religion": "religion religión religione religie religião",
    "weapon": "waffe arma wapen",
    "drug": "droge drogue droga drug",
    "my": "mein meine meinen meiner mon ma mes mi mis mio mia miei mijn meu minha",
    "our": "unser unsere unseren notre nos nuestro nuestra nostro nostra onze nosso nossa",
    "the": "der das den dem le la les l' el los las il lo gli het os",
    "of": "des du de di del della da dos",
    "in": "im dans en nel nella em na",
    "this": "dieses diese dieser ce cette este esta questo questa dit deze este esta",
    "tell": "sag sage dis dime dimmi vertel diga",
    "show": "zeig zeige montre muestra mostra toon mostre",
    "want to know": "wissen savoir saber sapere weten",
    "after": "nach après después dopo na após",
    "per": "pro par por al per",
}
_JAPANESE = {
    "給料": " salary ",
    "給与": " salary ",
    "年収": " annual income ",
    "月給": " monthly pay ",
    "賃金": " wages ",
    "報酬": " pay ",
    "ボーナス": " bonus ",
    "同僚": " colleague ",
    "上司": " boss ",
    "部長": " director ",
    "社長": " president ",
    "社員": " employee ",
    "リストラ": " layoffs ",
    "解雇": " dismissal ",
    "人員削減": " job cuts ",
    "合併": " merger ",
    "いくら": " how much ",
    "ありますか": " are there ",
    "今年": " this year ",
    "会社": " company ",
    "部署": " department ",
    "営業": " sales ",
    "病気": " illness ",
    "医者": " doctor ",
    "薬": " medicine ",
    "株": " stock ",
    "顧客": " customer ",
    "パスワード": " password ",
    "会議": " meeting ",
    "予約": " book ",
    "採用": " hiring ",
    "何": " what ",
    "誰": " who ",
    "ですか": " ? ",
    "は": " ",
    "の": " of ",
    "を": " ",
    "が": " ",
    "に": " ",
    "で": " ",
}


def _key(word: str) -> str:
    """`word` as the lexicon is looked up: case-folded, and the Turkish i's as one letter (the
    capital I of TALİMATLARI stands for the dotless i, U+0131, and the capital İ folds to i and
    a combining dot whatever the language: no case folding can know which was meant)."""
    return word.casefold().replace("i\u0307", "i").replace("\u0131", "i")


_ENGLISH_FOR: dict[str, str] = {}
_PHRASE_FOR: dict[str, str] = {}  # several words in the other language, one meaning
for english, words in [*_VOCABULARY.items(), *SPACED.items()]:
    for word in words.split():
        if "_" in word:
            _PHRASE_FOR.setdefault(_key(word.replace("_", " ")), english)
        else:
            _ENGLISH_FOR.setdefault(_key(word), english)
_UNSPACED = {**_JAPANESE, **UNSPACED}
WORD = re.compile("[^\\W\\d_][\\w'\u2019-]*")
# The phrases are in lower case and are looked for in the lower-cased text: Python's `re` is
# several times slower with IGNORECASE on an alternation this long.
_PHRASES = re.compile(
    r"(?<![^\W_])(?:" + "|".join(map(re.escape, sorted(_PHRASE_FOR, key=len, reverse=True)))
    + r")(?![^\W_])")  # fmt: skip
_PHRASES_ANY_CASE = re.compile(_PHRASES.pattern, re.IGNORECASE)
# What `_key` does beyond `lower` one letter for one (Greek final sigma, micro sign, the dotless
# i): the phrases are folded so, and the lower-cased text must keep its length to map back.
_FOLD_AFTER_LOWER = {
    ord(lower): folded
    for lower, folded in ((chr(n).lower(), _key(chr(n))) for n in range(0x10000))
    if len(lower) == 1 and len(folded) == 1 and lower != folded
}
_UNSPACED_TERMS = re.compile("|".join(sorted(map(re.escape, _UNSPACED), key=len, reverse=True)))
# Scripts written without spaces between words (Chinese, Japanese, Thai), and Korean, whose
# words carry their particles: read by substrings.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
# A gloss that changes less than this share of a text's words is of a text already in English
# (a word that happens to be spelt like a foreign one) and is not read a second time.
MATERIAL = 0.2
READ = "\ue000"  # a private-use character around what the gloss read, while it reads


def _english(match: re.Match[str]) -> str:
    word = match.group()
    return _ENGLISH_FOR.get(_key(word), word)


def _phrase_read(phrase: str, mark: str) -> str:
    """A matched phrase in English, between `mark`s; as written (and not marked) where its
    folded form is not listed (matched regardless of case, a letter may fold otherwise)."""
    english = _PHRASE_FOR.get(_key(phrase))
    return f" {mark}{english}{mark} " if english else f" {phrase} "


def _phrases_in_english(text: str, mark: str = "") -> str:
    """`text` with its listed phrases (and terms of unspaced scripts) in English, each between
    `mark`s when one is given (so that the words the gloss read can be told apart)."""
    if _UNSPACED_SCRIPT.search(text):
        text = _UNSPACED_TERMS.sub(lambda m: f"{mark}{_UNSPACED[m.group()]}{mark}", text)
    lowered = text.lower().translate(_FOLD_AFTER_LOWER)
    if len(lowered) != len(text):  # a letter whose lower case is longer: positions would move
        return _PHRASES_ANY_CASE.sub(lambda m: _phrase_read(m.group(), mark), text)
    parts, last = [], 0
    for match in _PHRASES.finditer(lowered):
        parts += [text[last : match.start()], _phrase_read(match.group(), mark)]
        last = match.end()
    return "".join(parts) + text[last:]


def glossed(text: str) -> str:
    """`text` with every listed word in English; the same text when nothing was listed."""
    return " ".join(WORD.sub(_english, _phrases_in_english(text)).split())


def english_readings(text: str) -> tuple[str, ...]:
    """For `text` in another language (its gloss changes a material share of the words): its
    English gloss, and only what the gloss could read, its phrases, terms and words in order
    ("Je voudrais connaître la rémunération de mon chef" reads "the salary of my", which the
    embedding model compares without the noise of the words it does not know), where that is
    two words or more, a material share of the text's words, and not the gloss itself. Nothing
    for text already in English."""
    text = text.replace(READ, " ")  # the mark is ours alone while reading
    marked = _phrases_in_english(text, READ)
    phrased = marked.replace(READ, "")
    gloss = " ".join(WORD.sub(_english, phrased).split())
    before, after = text.split(), gloss.split()
    written = set(before)
    # Words the gloss wrote: not the pieces of Chinese or Japanese that a term read inside them
    # splits off (a line of random Russian and Chinese is not "read" because it was cut up).
    # Nor a mark the phrases leave apart ("yok say!" reads "ignore !": one word, not two).
    changed = sum(1 for word in after if word not in written and WORD.search(word)
                  and not _UNSPACED_SCRIPT.search(word))  # fmt: skip
    if gloss == " ".join(before) or changed < 2 or changed < MATERIAL * len(after):
        return ()
    known = []  # what the gloss read, in the text's order: its phrases, terms and words
    for number, part in enumerate(marked.split(READ)):
        if number % 2:
            known += part.split()
        else:
            known += [english for word in WORD.findall(part)
                      if (english := _ENGLISH_FOR.get(_key(word)))]  # fmt: skip
    words = WORD.findall(phrased)
    only_known = " ".join(known)
    # The known words alone stand for the text only where they are a material share of it: two
    # topic words among twenty unknown ones are word salad, not a question about the topic.
    if len(known) >= max(2, MATERIAL * len(words)) and only_known != gloss:
        return (gloss, only_known)
    return (gloss,)
