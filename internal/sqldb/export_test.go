package sqldb

// SetSearchBatch makes word matches come in batches of n until restore is
// called, so that tests can page across batches with a few tickets.
func SetSearchBatch(n int) (restore func()) {
	old := searchBatch
	searchBatch = n
	return func() { searchBatch = old }
}
