-- The words the composer's picker finds a macro by (tend.MacroWords), so
-- that a search is a range of an index, not a scan of every macro's text.
-- Filled for existing macros by the step in migrate.go.
CREATE TABLE macro_words (
	word     TEXT NOT NULL,
	macro_id INTEGER NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	PRIMARY KEY (word, macro_id)
) WITHOUT ROWID;
CREATE INDEX macro_words_macro ON macro_words (macro_id);
