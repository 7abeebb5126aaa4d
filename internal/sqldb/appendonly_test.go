package sqldb_test

import ()

// The history cannot be rewritten, not even by SQL run on the database
