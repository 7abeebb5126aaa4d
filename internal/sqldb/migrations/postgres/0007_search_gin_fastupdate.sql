-- Search reads the GIN indexes for rare words. With fastupdate, new entries
-- wait in a pending list that every search reads whole, up to 4 MB, until
-- VACUUM or a full list moves them into the index: a rare pair then took
-- 10 ms on 20,000 tickets instead of 0.3. Without it each insert updates
-- the index itself, and searches take the same time whenever they run.
ALTER INDEX tickets_search SET (fastupdate = off);
ALTER INDEX messages_search SET (fastupdate = off);
SELECT gin_clean_pending_list('tickets_search'), gin_clean_pending_list('messages_search');
