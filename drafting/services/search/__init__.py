"""Search (CONTRACT §6): bills, articles, amendments and arguments, case and accents folded, stemmed for
the bill's language, best matches first; hidden items are never found.

Each searchable item is a ``SearchEntry`` (the words its snippet shows) plus a row of ``search_index``,
the dialect's full-text index (migration 0006_search):

- SQLite: an FTS5 table. FTS5 has no French or German stemmer, so the words are folded (case,
  accents) and stemmed here with Snowball (``snowballstemmer``) before they are written, and the
  query's words the same way; ranked by bm25, a title counting four times a body.
- PostgreSQL: ``to_tsvector`` with the french/german/english configuration (PostgreSQL's Snowball
  stemmers) under a GIN index, ranked by ``ts_rank``, the title weighted A and the body B. Accents
  are folded here too rather than by the ``unaccent`` extension, so the same folding serves both
  databases and production needs no extension (nor the rights to create one).

The services that write the items call ``index_*`` in their own transaction (one call each), and
moderation calls ``unindex``: the index never shows what the database no longer does.
"""
from drafting.services.search.text import (LANGUAGES, MAX_QUERY, DEFAULT_LIMIT, MAX_LIMIT, MAX_RANKED, _WORD, _BATCH, bill_language, fold, _NON_ASCII, _without_marks, _stemmers, _stemming, stem, word_stem, words, stems, query_stems)
from drafting.services.search.index import (Item, _joined, bill_item, article_item, amendment_item, argument_item, _postgres, Row, _index_rows, _POSTGRES_INDEX, _SQLITE_INDEX, _index_values, _write_index, _drop_entries, write, _entry, unindex, index_bill, index_article, index_amendments, index_argument, unindex_amendment, reindex, reindex_bill, _gin_indexes, _REINDEX_BATCH, _ENTRY_COLUMNS, _write_entries, _sql_joined, _entry_queries, _index_entries, _written, print_progress)
from drafting.services.search.query import (Hit, check_query, check_kind, check_bill, check_page, Found, search, _sqlite_query, _hits)

__all__ = ['LANGUAGES', 'MAX_QUERY', 'DEFAULT_LIMIT', 'MAX_LIMIT', 'MAX_RANKED', '_WORD', '_BATCH', 'bill_language', 'fold', '_NON_ASCII', '_without_marks', '_stemmers', '_stemming', 'stem', 'word_stem', 'words', 'stems', 'query_stems', 'Item', '_joined', 'bill_item', 'article_item', 'amendment_item', 'argument_item', '_postgres', 'Row', '_index_rows', '_POSTGRES_INDEX', '_SQLITE_INDEX', '_index_values', '_write_index', '_drop_entries', 'write', '_entry', 'unindex', 'index_bill', 'index_article', 'index_amendments', 'index_argument', 'unindex_amendment', 'reindex', 'reindex_bill', '_gin_indexes', '_REINDEX_BATCH', '_ENTRY_COLUMNS', '_write_entries', '_sql_joined', '_entry_queries', '_index_entries', '_written', 'print_progress', 'Hit', 'check_query', 'check_kind', 'check_bill', 'check_page', 'Found', 'search', '_sqlite_query', '_hits']
