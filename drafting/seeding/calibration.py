"""The benchmark seeder's calibration: the République numérique consultation's shape, and the scales."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

# --- calibration -------------------------------------------------------------------------------
# Measured on ../shared/corpus/consultation_republique_numerique/: RN1 = opinions.json (the 30
# government articles and 666 citizen proposals of new articles, with their 3,994 arguments),
# RN2 = article9_versions.json (Article 9 and its 108 proposed rewrites), RN3 =
# contributions_index.json (all 2,086 contributions: 1,390 "amendement" and 696 "proposition").

# Per government article 1..30 (RN1, author "gouvernement", in article order): proposed
# modifications (versions_count), arguments (len(arguments)) and votes (votes_total).
ARTICLE_AMENDMENT_WEIGHTS = (116, 32, 18, 30, 27, 13, 19, 49, 108, 12, 24, 38, 31, 16, 24,
                             31, 30, 13, 34, 16, 3, 26, 41, 7, 7, 10, 30, 24, 22, 11)
ARTICLE_ARGUMENT_WEIGHTS = (95, 44, 35, 38, 21, 23, 54, 25, 132, 40, 40, 47, 38, 24, 31,
                            25, 23, 22, 28, 35, 7, 35, 22, 9, 13, 21, 81, 19, 45, 24)
ARTICLE_VOTE_WEIGHTS = (2447, 1318, 1106, 892, 658, 777, 800, 822, 3334, 706, 1426, 796, 669, 379, 488,
                        733, 495, 324, 561, 625, 187, 853, 368, 386, 226, 392, 1380, 498, 408, 833)
# The article that draws the crowd: Article 9 (open access to research, 3,334 votes, 108 rewrites; RN1/RN2).
HOT_ARTICLE_NUMBER = "9"
# Amendments among contributions: 1,390 modifications (RN3) + 666 proposed new articles (RN1) against
# 6,001 arguments (3,994 on RN1 opinions + 2,007 on RN3 modifications).
AMENDMENT_SHARE = 2056 / 8057
# Proposed new articles among amendments: 666 / 2,056 (RN1 citizen opinions / all proposals).
INSERT_SHARE = 666 / 2056
# Arguments on the articles themselves rather than on proposals: 1,096 / 6,001 (RN1 government opinions).
ARTICLE_ARGUMENT_SHARE = 1096 / 6001
# Votes on articles rather than on proposals: 24,887 / (24,887 + 105,157) (RN1 government / RN3 + RN1 citizen).
ARTICLE_VOTE_SHARE = 24887 / 130044
# Vote values (agree, mixed, disagree): on articles, RN1 government votes_ok/votes_mitige/votes_nok;
# on proposals, RN3 votes_pro/unsure/against plus RN1 citizen opinions (88,410 / 5,079 / 11,668).
ARTICLE_VOTE_VALUES = (0.7600, 0.0984, 0.1415)
AMENDMENT_VOTE_VALUES = (0.8407, 0.0483, 0.1110)
# Arguments "for" (type 1) among the 3,994 arguments of RN1; the rest are "against".
FOR_SHARE = 0.4907
# Distinct authors among participants: 1,992 pseudonymised authors of RN1/RN3 for 21,000 participants.
AUTHOR_SHARE = 1992 / 21000
# Quantile tables: (percentile, value) pairs, sampled by linear interpolation of the inverse CDF.
_P = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 100)
# Votes per proposal relative to the mean (51.1): 2,056 proposals of RN3 + RN1 citizen opinions.
VOTES_PER_PROPOSAL = tuple(zip(_P, (0.0, 0.02, 0.059, 0.098, 0.137, 0.176, 0.254, 0.391, 0.606, 1.486,
                                    3.382, 17.303, 80.142)))
# Characters of an argument body (RN1, 3,994 arguments; the platform capped them at 2,000).
ARGUMENT_LENGTH = tuple(zip(_P, (7, 66, 103, 142, 189, 239, 300, 385, 530, 809, 1151, 1865, 2000)))
# Characters of a proposal's explanation (RN2 "comment", 108 rewrites of Article 9); empty ones kept.
EXPLANATION_LENGTH = tuple(zip(_P, (0, 0, 62, 157, 280, 448, 585, 860, 1421, 2242, 2519, 5047, 7543)))
# Characters of a proposal's title (RN3 "name" of the 1,390 modifications).
TITLE_LENGTH = tuple(zip(_P, (2, 20, 27, 35, 43, 52, 62, 74, 90, 114, 133, 191, 255)))
# Characters of a proposed new article (RN1 body_text of the 666 citizen proposals).
NEW_ARTICLE_LENGTH = tuple(zip(_P, (2, 106, 175, 235, 303, 389, 491, 656, 874, 1361, 2041, 5708, 19528)))
# "Useful" marks per argument (RN1 argument votes_count; mean 3.2).
USEFUL_MARKS = tuple(zip(_P, (0, 0, 0, 1, 1, 2, 2, 3, 5, 9, 12, 22, 45)))
# Contributions per author (RN1 + RN3, 1,992 authors of 6,050 contributions; one author wrote 254).
CONTRIBUTIONS_PER_AUTHOR = tuple(zip(_P, (1, 1, 1, 1, 1, 1, 2, 2, 3, 6, 9, 26, 254)))
# The consultation ran from 26 September to 18 October 2015 (RN1 created_at of the first opinion
# and of the last argument).
CONSULTATION_START = datetime(2015, 9, 26, 0, 27, 54, tzinfo=timezone.utc)
CONSULTATION_END = datetime(2015, 10, 18, 21, 58, 59, tzinfo=timezone.utc)
# Not in the corpus, assumed: the share of organisation accounts, and the size of a proposed change
# (amendment texts are absent from RN1/RN2: their "after" field repeats the original text).
ORGANIZATION_SHARE = 0.03
EDITS_PER_AMENDMENT = (1, 6)  # word-level edits, each replacing, deleting or inserting 1 to 8 words

BENCH_PASSWORD = "bench-password"  # every seeded account shares it: benchmark databases only
VOTER_PREFIX = "bench-voter-"  # accounts kept without votes, for the vote benchmark
SEED = 20151018


@dataclass(frozen=True)
class Scale:
    """How big a consultation to build; ``hot_*`` None means the hot article's calibrated share."""

    name: str
    accounts: int
    contributions: int  # amendments + arguments
    votes: int
    hot_amendments: int | None
    hot_arguments: int | None
    voters: int = 100  # accounts without votes, for the vote benchmark (counted in ``accounts``)


SCALES = {
    # A few hundred rows, yet enough for the hot article to fill a first page of each list.
    "small": Scale("small", accounts=400, contributions=300, votes=2_000, hot_amendments=60, hot_arguments=120),
    # République numérique: 21,000 participants, 8,500 contributions, 150,000 votes on 30 articles.
    "rn": Scale("rn", accounts=21_000, contributions=8_500, votes=150_000, hot_amendments=500, hot_arguments=2_000),
    # A fifth of the Grand Débat, for machines that cannot seed the whole of it in minutes.
    "gd-lite": Scale("gd-lite", accounts=100_000, contributions=400_000, votes=2_000_000,
                     hot_amendments=None, hot_arguments=None),
    # Grand Débat National: about 500,000 people, 2 million contributions, 10 million votes.
    "gd": Scale("gd", accounts=500_000, contributions=2_000_000, votes=10_000_000,
                hot_amendments=None, hot_arguments=None),
}


@dataclass
class SeedReport:
    """What was written, and where the benchmarks find their targets."""

    scale: str
    bill_slug: str
    hot_article_id: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
