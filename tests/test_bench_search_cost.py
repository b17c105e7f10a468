"""bench/bench_search_cost.py's choices: which words it asks, and which two searches its figure compares."""
from bench.bench_search_cost import Scale, Word, _pick, like_work


def test_the_rarest_word_at_each_level_and_the_most_frequent():
    counts = [("zeta", 5), ("beta", 20), ("alpha", 20), ("gamma", 150), ("delta", 1_200), ("eta", 40_000)]
    # 20: the rarest with at least 20 (alphabetical among equals); 100: gamma; 1,000: delta; 10,000: eta,
    # which is also the most frequent (not asked twice); no word reaches 100,000.
    assert _pick(counts) == [("alpha", 20), ("gamma", 150), ("delta", 1_200), ("eta", 40_000)]


def test_the_most_frequent_word_is_asked_even_under_every_level():
    assert _pick([("un", 3), ("deux", 7)]) == [("deux", 7)]


def _word(name: str, matches: int, ms: float) -> Word:
    return Word(name, matches, ms, 10 * ms, 3)


def test_the_figure_compares_the_slowest_words_ranking_the_bound_on_both():
    small = Scale("rn", 6_000, [_word("rare", 30, 9.0), _word("full", 1_500, 4.0), _word("fuller", 5_000, 5.0)])
    large = Scale("gd", 1_500_000, [_word("rare", 30, 1.0), _word("full", 1_000, 6.0), _word("most", 900_000, 6.25)])
    figure = like_work(small, large)
    # the rare words (fewer than 1,000 matches) are left out: 5.0 ms against 6.25 ms
    assert (figure["small_word"]["word"], figure["large_word"]["word"]) == ("fuller", "most")
    assert figure["ratio"] == 0.8 and figure["verdict"] == "PASS"


def test_no_figure_without_a_word_ranking_the_bound():
    figure = like_work(Scale("small", 223, [_word("a", 132, 4.0)]), Scale("gd", 10, [_word("b", 5_000, 4.0)]))
    assert figure["ratio"] is None and figure["verdict"] == "–"
