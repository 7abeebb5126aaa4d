-- The words the composer's picker finds a macro by (tend.MacroWords), so
-- that a search is a range of an index, not a scan of every macro's text.
-- Filled for existing macros by the step in migrate.go. Words compare
-- byte by byte (COLLATE "C"), so that a prefix is a range of the index.
CREATE TABLE macro_words (
	word     TEXT COLLATE "C" NOT NULL,
	macro_id BIGINT NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	PRIMARY KEY (word, macro_id)
);
CREATE INDEX macro_words_macro ON macro_words (macro_id);
