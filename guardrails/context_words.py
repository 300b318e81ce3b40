"""Words just before a candidate identifier that confirm it ("card", "IBAN", "Tel.") or say it is
something else ("part no.", "version", "ISBN"), in the languages of the labelled set. As in
Presidio's recognizers, a word moves the candidate's score; the score decides whether it is
reported and which of two overlapping candidates wins."""

from __future__ import annotations

import re
from collections.abc import Iterable

from guardrails.scripts import UNSPACED_CHARACTER

LOOK_BEHIND = 40  # characters before a candidate that are read for context words
RAISE = 0.35
LOWER = 0.5
REPORTED = 0.5  # the least score a finding needs

CONFIRMING: dict[str, tuple[str, ...]] = {
    "card": ("card", "credit", "debit", "visa", "mastercard", "amex", "karte", "kreditkarte",
             "carte", "tarjeta", "carta", "kaart", "カード", "cc"),
    "iban": ("iban", "account", "konto", "compte", "cuenta", "conto", "rekening"),
    "phone": ("tel", "phone", "call", "mobile", "cell", "telefon", "handy", "mobil", "tél",
              "téléphone", "portable", "teléfono", "móvil", "telefono", "cellulare", "bel",
              "mobiel", "電話", "携帯", "fax"),
    "ssn": ("ssn", "social security", "ss#", "ssa"),
    "ip": ("ip", "server", "host", "address", "adresse", "adres", "dirección", "indirizzo",
           "ping", "gateway", "dns", "アドレス"),
    "email": ("email", "e-mail", "mail", "courriel", "correo", "メール"),
    "nino": ("ni number", "national insurance", "nino", "ni no"),
    "steuer_id": ("steuer-id", "steuerid", "steuer-identifikationsnummer", "idnr",
                  "identifikationsnummer", "tax id", "steuernummer"),
    "nir": ("sécurité sociale", "securite sociale", "nir", "insee", "sécu"),
    "dni_nie": ("dni", "nie", "nif", "documento"),
    "codice_fiscale": ("codice fiscale", "cf", "fiscale"),
    "bsn": ("bsn", "burgerservicenummer", "sofinummer", "sofi"),
}  # fmt: skip
# Words after which a number is not anyone's identifier.
DENYING = ("part", "part no", "article", "artikel", "artikelnummer", "item", "sku", "model",
           "version", "versión", "v", "release", "build", "isbn", "imei", "serial", "serien",
           "seriennummer", "order", "pedido", "commande", "bestellung", "bestellnummer",
           "auftragsnummer", "invoice", "rechnung",
           "facture", "factura", "tracking", "lot", "batch", "ref", "reference", "ticket",
           "price", "total", "ratio", "coordinates", "population")  # fmt: skip


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    # A word of a script written without spaces needs none around it ("電話番号は").
    spaced = [w for w in words if not UNSPACED_CHARACTER.match(w)]
    unspaced = [w for w in words if UNSPACED_CHARACTER.match(w)]
    alternatives = "|".join(re.escape(w) for w in sorted(spaced, key=len, reverse=True))
    around = rf"(?<![^\W_])(?:{alternatives})(?![^\W_])"
    if unspaced:
        around += "|" + "|".join(re.escape(w) for w in sorted(unspaced, key=len, reverse=True))
    return re.compile(around, re.IGNORECASE)


CONFIRMING_PATTERNS = {kind: _pattern(words) for kind, words in CONFIRMING.items()}
DENYING_PATTERN = _pattern(DENYING)
# A denying word counts only when it is the last word before the number ("version 5.8.2.2",
# "part no. 288-18-4408"), not when another number or a sentence break stands between.
DENYING_NEAR = re.compile(r"[\s:#.()\-]*(?:no\.?|nr\.?|number|nummer|n°|#)?[\s:#.()\-]*\Z",
                          re.IGNORECASE)  # fmt: skip


# Before a bare shape (nine digits an SSN could be, with no layout or check digit of its own):
# a setting's or a JSON key's value ("size=134217728", '"id": 123456789'), or a word that says
# what it counts. Unconfirmed, it is not the identifier.
VALUE_OF_SOMETHING = re.compile(
    r"(?:[=]|[\"']\s*:|(?<![^\W_])(?:id|size|bytes|memory|length|count|zip|port|pid|uid|"
    r"timestamp|ts|offset|limit))[\s:=#\"']*\Z",
    re.IGNORECASE,
)


def scored(kind: str, base: float, before: str, *, bare: bool = False) -> float:
    """`base` raised by a confirming word for `kind` in `before`, lowered by a denying word
    right before the candidate; a `bare` shape, unconfirmed, also by a setting or a count."""
    score = base
    window = before[-LOOK_BEHIND:]
    if (confirming := CONFIRMING_PATTERNS.get(kind)) and confirming.search(window):
        score += RAISE
    elif bare and VALUE_OF_SOMETHING.search(window):
        return score - LOWER
    for denial in DENYING_PATTERN.finditer(window) if kind != "email" else ():
        if DENYING_NEAR.match(window, denial.end()):
            score -= LOWER
            break
    return score
