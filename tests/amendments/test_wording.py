"""Formal wording (CONTRACT §8): the forms written by hand from the contract, and the round trip
apply_wording(base, wording(base, text)) == text on the real histories and on generated edits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amendments.engine import WordingError, alineas, apply_wording, article_wording, parse_wording, wording
from amendments.engine.changes import REWRITE_ARTICLE, plan

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
HISTORIES = sorted((CORPUS / "article_histories").glob("*/*.json"))

settings.register_profile("wording", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("NAVETTE_ENGINE_HYPOTHESIS_PROFILE", "wording"))


# --- alinéas -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Article 1\nLe ministre fixe le taux.\nLe préfet en informe le maire.\n",
         ["Article 1", "Le ministre fixe le taux.", "Le préfet en informe le maire."]),
        ("Titre\n\nPremière ligne\nsuite de l'alinéa\n\nDeux", ["Titre", "Première ligne\nsuite de l'alinéa", "Deux"]),
        ("\n\nun\ndeux\n\n", ["un", "deux"]),  # leading and trailing line breaks aside: no blank line
        ("un\n  \ndeux\ntrois", ["un", "deux\ntrois"]),  # a line of spaces is blank
        ("", []),
        ("\n \n", []),
    ],
)  # fmt: skip
def test_alineas_are_lines_or_runs_of_lines_between_blank_lines(text, expected):
    found = alineas(text)
    assert [a.text for a in found] == expected
    assert [a.number for a in found] == list(range(1, len(expected) + 1))
    assert all(text[a.start : a.end] == a.text for a in found)


# --- the forms, by hand ------------------------------------------------------------------------

MAIRE = "Le maire saisit le préfet. Le préfet saisit le ministre."
TAUX = "Le ministre fixe le taux.\n\nLe préfet en informe le maire.\n\nLe décret entre en vigueur le 1er janvier."
CONSEIL = "Le maire convoque le conseil.\nLe conseil délibère.\nLe préfet est informé."

FORMS = [
    (  # words replaced
        "Le ministre peut accorder une dérogation.\nIl en informe le préfet.",
        "Le ministre doit accorder une dérogation.\nIl en informe le préfet.",
        "À l'alinéa 1, substituer aux mots : « peut » les mots : « doit ».",
        "In Absatz 1 werden die Wörter „peut“ durch die Wörter „doit“ ersetzt.",
    ),
    (  # words deleted: the passage verbatim, its space included
        "Le délai est de deux mois à compter de la notification.",
        "Le délai est de deux mois.",
        "À l'alinéa 1, supprimer les mots : «  à compter de la notification ».",
        "In Absatz 1 werden die Wörter „ à compter de la notification“ gestrichen.",
    ),
    (  # words inserted after the words before them
        "Le ministre accorde une dérogation.",
        "Le ministre accorde une dérogation motivée.",
        "À l'alinéa 1, après les mots : « dérogation », insérer les mots : «  motivée ».",
        "In Absatz 1 werden nach den Wörtern „dérogation“ die Wörter „ motivée“ eingefügt.",
    ),
    (  # words inserted in the middle of a sentence: the words before them whole, the space written once
        "Le maire convoque le conseil municipal.",
        "Le maire convoque sans délai le conseil municipal.",
        "À l'alinéa 1, après les mots : « convoque », insérer les mots : «  sans délai ».",
        "In Absatz 1 werden nach den Wörtern „convoque“ die Wörter „ sans délai“ eingefügt.",
    ),
    (  # "préfet" occurs twice: quote neighbouring words until the passage is unique, whole words
        "Le maire informe le préfet et le préfet informe le maire.",
        "Le maire informe le préfet et le ministre informe le maire.",
        "À l'alinéa 1, substituer aux mots : « le préfet informe » les mots : « le ministre informe ».",
        "In Absatz 1 werden die Wörter „le préfet informe“ durch die Wörter „le ministre informe“ ersetzt.",
    ),
    (  # two changes in one alinéa: two instructions, numbered
        "Le ministre peut accorder une dérogation motivée.",
        "Le préfet peut accorder une dérogation écrite.",
        "I. – À l'alinéa 1, substituer aux mots : « ministre » les mots : « préfet ».\n"
        "II. – À l'alinéa 1, substituer aux mots : « motivée » les mots : « écrite ».",
        "I. – In Absatz 1 werden die Wörter „ministre“ durch die Wörter „préfet“ ersetzt.\n"
        "II. – In Absatz 1 werden die Wörter „motivée“ durch die Wörter „écrite“ ersetzt.",
    ),
    (  # the second instruction quotes the alinéa as the first left it: "ministre" is there twice then
        MAIRE,
        "Le maire saisit le ministre. Le préfet saisit le juge.",
        "I. – À l'alinéa 1, substituer aux mots : « préfet. » les mots : « ministre. ».\n"
        "II. – À l'alinéa 1, substituer aux mots : « préfet saisit le ministre. » les mots : « préfet saisit le juge. ».",
        "I. – In Absatz 1 werden die Wörter „préfet.“ durch die Wörter „ministre.“ ersetzt.\n"
        "II. – In Absatz 1 werden die Wörter „préfet saisit le ministre.“ durch die Wörter „préfet saisit le juge.“ ersetzt.",
    ),
    (  # most of an alinéa changes: the whole alinéa; an alinéa added at the end
        TAUX,
        "Le ministre fixe le taux.\n\nUn arrêté publie le barème chaque année.\n\n"
        "Le décret entre en vigueur le 1er janvier.\n\nIl est publié au Journal officiel.",
        "I. – Rédiger ainsi l'alinéa 2 :\n« Un arrêté publie le barème chaque année. »\n"
        "II. – Après l'alinéa 3, insérer l'alinéa suivant :\n« Il est publié au Journal officiel. »",
        "I. – Absatz 2 wird wie folgt gefasst:\n„Un arrêté publie le barème chaque année.“\n"
        "II. – Nach Absatz 3 wird folgender Absatz eingefügt:\n„Il est publié au Journal officiel.“",
    ),
    (  # an alinéa before the first; the last deleted
        CONSEIL,
        "Le conseil est convoqué chaque mois.\nLe maire convoque le conseil.\nLe conseil délibère.",
        "I. – Avant l'alinéa 1, insérer l'alinéa suivant :\n« Le conseil est convoqué chaque mois. »\n"
        "II. – Supprimer l'alinéa 3.",
        "I. – Vor Absatz 1 wird folgender Absatz eingefügt:\n„Le conseil est convoqué chaque mois.“\n"
        "II. – Absatz 3 wird aufgehoben.",
    ),
    (  # an alinéa deleted in the middle
        CONSEIL,
        "Le maire convoque le conseil.\nLe préfet est informé.",
        "Supprimer l'alinéa 2.",
        "Absatz 2 wird aufgehoben.",
    ),
    (  # the article deleted
        CONSEIL, "", "Supprimer cet article.", "Der Artikel wird aufgehoben.",
    ),
    (  # the article rewritten: nothing of it is kept
        "Le ministre fixe le taux.",
        "Un décret en Conseil d'État précise les modalités.",
        "Rédiger ainsi cet article :\n« Un décret en Conseil d'État précise les modalités. »",
        "Der Artikel wird wie folgt gefasst:\n„Un décret en Conseil d'État précise les modalités.“",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("base", "text", "french", "german"), FORMS)
def test_each_form_is_written_as_the_contract_says_in_both_languages(base, text, french, german):
    assert wording(base, text, "fr") == french
    assert wording(base, text, "en") == french  # English bills use the French forms
    assert wording(base, text, "de") == german
    assert apply_wording(base, french, "fr") == text
    assert apply_wording(base, german, "de") == text


def test_no_change_is_no_wording():
    assert wording(TAUX, TAUX) == ""
    assert apply_wording(TAUX, "") == TAUX


def test_a_new_article_and_whole_article_forms():
    text = "Le présent article entre en vigueur le 1er janvier."
    assert article_wording("insert", "fr", text, after="5") == (
        "Après l'article 5, insérer un article additionnel ainsi rédigé :\n« Le présent article entre en vigueur le 1er janvier. »"
    )
    assert article_wording("insert", "fr", text, before="1er") == (
        "Avant l'article 1er, insérer un article additionnel ainsi rédigé :\n« Le présent article entre en vigueur le 1er janvier. »"
    )
    assert article_wording("insert", "de", text, after="§ 5") == (
        "Nach § 5 wird folgender § eingefügt:\n„Le présent article entre en vigueur le 1er janvier.“"
    )
    assert article_wording("insert", "de", text, before="3") == (
        "Vor § 3 wird folgender § eingefügt:\n„Le présent article entre en vigueur le 1er janvier.“"
    )
    assert article_wording("delete", "de") == "Der Artikel wird aufgehoben."
    assert article_wording("rewrite", "fr", "Texte.") == "Rédiger ainsi cet article :\n« Texte. »"
    assert apply_wording("", article_wording("insert", "fr", text, after="5")) == text
    assert apply_wording("", article_wording("insert", "de", text, before="3"), "de") == text
    with pytest.raises(ValueError):
        article_wording("insert", "fr", text)
    with pytest.raises(ValueError):
        wording("a", "b", "it")


def test_reading_accepts_no_break_spaces_and_typographic_apostrophes():
    base = "Le ministre peut accorder une dérogation."
    typographic = "À l\u2019alinéa 1, substituer aux mots\u00a0: «\u00a0peut\u00a0» les mots\u00a0: «\u00a0doit\u00a0»."
    assert apply_wording(base, typographic) == "Le ministre doit accorder une dérogation."


def test_alinea_separators_follow_the_contract():
    # a deleted alinéa takes the separator after it, the last one the separator before it;
    # leading and trailing line breaks stay; an inserted alinéa is joined with a blank line here
    assert apply_wording("un\n\ndeux\n\ntrois\n", "Supprimer l'alinéa 2.") == "un\n\ntrois\n"
    assert apply_wording("un\n\ndeux\n\ntrois\n", "Supprimer l'alinéa 3.") == "un\n\ndeux\n"
    assert apply_wording("un\ndeux", "Après l'alinéa 1, insérer l'alinéa suivant :\n« x »") == "un\nx\ndeux"
    two = "I. – Après l'alinéa 1, insérer l'alinéa suivant :\n« x »\nII. – Après l'alinéa 1, insérer l'alinéa suivant :\n« y »"
    assert apply_wording("un\n\ndeux", two) == "un\n\nx\n\ny\n\ndeux"  # in text order
    # numbers refer to the base whatever the instructions before did
    after_deletion = "I. – Supprimer l'alinéa 1.\nII. – À l'alinéa 3, substituer aux mots : « trois » les mots : « 3 »."
    assert apply_wording("un\ndeux\ntrois", after_deletion) == "deux\n3"


def test_a_passage_may_hold_the_words_and_quotes_of_the_forms():
    base = "La loi dite « Informatique et libertés » s'applique.\nII. – Le décret s'applique."
    text = "La loi dite « Informatique » » les mots : « s'applique.\nII. – Le décret ne s'applique pas."
    for language in ("fr", "de"):
        assert apply_wording(base, wording(base, text, language), language) == text


@pytest.mark.parametrize(
    ("instruction", "message"),
    [
        ("À l'alinéa 1, supprimer les mots : « absent ».", "does not occur in alinéa 1"),
        ("À l'alinéa 1, supprimer les mots : « con ».", "occurs 2 times in alinéa 1"),
        ("Supprimer l'alinéa 9.", "there is no alinéa 9"),
        ("I. – Supprimer l'alinéa 1.\nII. – Rédiger ainsi l'alinéa 1 :\n« x »", "instruction II: alinéa 1 has been deleted"),
        ("Supprimez donc ce texte.", "not a wording"),
    ],
)
def test_an_instruction_that_does_not_apply_is_a_clear_error(instruction, message):
    with pytest.raises(WordingError, match=message):
        apply_wording(CONSEIL, instruction)


# --- the real histories ------------------------------------------------------------------------


def history_pairs() -> list[tuple[str, str, str, str]]:
    pairs = []
    for path in HISTORIES:
        data = json.loads(path.read_text("utf-8"))
        texts = [version["text"] or "" for version in data["versions"]]
        pairs += [(path.stem, data["language"], a, b) for a, b in zip(texts, texts[1:])]
    return pairs


@pytest.fixture(scope="module")
def pairs():
    if len(HISTORIES) != 55:
        pytest.fail(f"the 55 article histories are not under {CORPUS}")
    return history_pairs()


def test_every_real_change_reads_back_exactly_in_its_language(pairs):
    other = {"fr": "de", "de": "fr"}
    instructions_total = 0
    for name, language, base, text in pairs:
        written = wording(base, text, language)
        assert apply_wording(base, written, language) == text, name
        assert apply_wording(base, wording(base, text, other[language]), other[language]) == text, name
        changes = plan(base, text)
        # never the whole article in place of finer instructions: each change is one instruction
        assert len(parse_wording(written, language) if written else []) == len(changes), name
        instructions_total += len(changes)
    assert len(pairs) > 150 and instructions_total > 1000


def test_real_changes_are_mostly_worded_finer_than_the_whole_article(pairs):
    whole = [name for name, _, base, text in pairs if [c.kind for c in plan(base, text)] == [REWRITE_ARTICLE]]
    assert len(whole) < len(pairs) / 10, whole


# --- generated edits ---------------------------------------------------------------------------

WORDS = ["le", "la", "ministre", "préfet", "l'", "État", "article", "L. 123-4", "1°", "décret", "Straße", "dé", "et",
         ",", ".", ";", ":", "«", "»", "„", "“", "–", "II.", "les mots", "»."]  # fmt: skip
alinea = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
separators = st.sampled_from(["\n", "\n\n"])


@st.composite
def edited_texts(draw):
    """A text of alinéas (with or without blank lines, now and then uneven ones) and an edit of it:
    words inserted, deleted or replaced, alinéas inserted, deleted or rewritten."""
    units = draw(st.lists(alinea, min_size=1, max_size=6))
    separator = draw(separators)
    uneven = draw(st.sampled_from([None, None, None, "\n\n\n", "\n \n", "\n"]))
    edges = draw(st.sampled_from([("", ""), ("", "\n"), ("\n", "\n\n")]))

    def render(parts: list[str]) -> str:
        joined = separator.join(parts)
        if uneven and len(parts) > 2:
            joined = joined.replace(separator, uneven, 1)
        return edges[0] + joined + edges[1]

    new = list(units)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["word", "word", "word", "insert", "delete", "rewrite"]))
        at = draw(st.integers(0, len(new)))
        if kind == "insert" or not new:
            new.insert(at, draw(alinea))
            continue
        at = min(at, len(new) - 1)
        if kind == "delete" and len(new) > 1:
            del new[at]
        elif kind == "rewrite":
            new[at] = draw(alinea)
        else:
            words = new[at].split(" ")
            spot = draw(st.integers(0, len(words) - 1))
            action = draw(st.sampled_from(["insert", "delete", "replace"]))
            if action == "insert":
                words.insert(spot, draw(st.sampled_from(WORDS)))
            elif action == "delete" and len(words) > 1:
                del words[spot]
            else:
                words[spot] = draw(st.sampled_from(WORDS))
            new[at] = " ".join(words)
    return render(units), render(new)


@given(edited_texts(), st.sampled_from(["fr", "de"]))
def test_generated_edits_read_back_exactly(case, language):
    base, text = case
    assert apply_wording(base, wording(base, text, language), language) == text


fragments = st.one_of(st.sampled_from(["\n", "\n\n", " ", "  ", "\u00a0", "« ", " »", "„", "“", "I. – ", "\nII. – ", "mots"]),
                      st.text(max_size=4))  # fmt: skip


@given(st.lists(fragments, max_size=20).map("".join), st.lists(fragments, max_size=20).map("".join), st.sampled_from(["fr", "de"]))
def test_any_two_texts_read_back_exactly(base, text, language):
    assert apply_wording(base, wording(base, text, language), language) == text


@given(edited_texts(), st.sampled_from(["fr", "de"]))
def test_the_space_around_inserted_words_is_quoted_once(case, language):
    """Words inserted between two words: the space between them is in one passage, not in both (the
    words before them would end with it and the inserted words too)."""
    base, text = case
    written = wording(base, text, language)
    for instruction in parse_wording(written, language) if written else []:
        if instruction.form == "insert_words":
            before, new = instruction.passages["before"], instruction.passages["new"]
            assert not (before[-1:].isspace() and new[-1:] == before[-1:]), (before, new)
