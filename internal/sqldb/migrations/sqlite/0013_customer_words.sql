-- The words a customer is found by: each word of their name and of their
-- addresses (tend.CustomerWords), so that a surname or a domain finds
-- them. Filled for existing customers by the step in migrate.go.
CREATE TABLE customer_words (
	word        TEXT NOT NULL,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	PRIMARY KEY (word, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_words_customer ON customer_words (customer_id);
