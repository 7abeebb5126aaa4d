-- The words a customer is found by: each word of their name and of their
-- addresses (tend.CustomerWords), so that a surname or a domain finds
-- them. Filled for existing customers by the step in migrate.go. Words
-- compare byte by byte (COLLATE "C"), so that a prefix is a range of the
-- index.
CREATE TABLE customer_words (
	word        TEXT COLLATE "C" NOT NULL,
	customer_id BIGINT NOT NULL REFERENCES customers (id),
	PRIMARY KEY (word, customer_id)
);
CREATE INDEX customer_words_customer ON customer_words (customer_id);
