-- Saved views name their filter's parameters as the API does (owner_id,
-- team_id, customer_id, organization_id), so that one reading of a filter
-- serves the API, the list pages and the views. Filters were stored as
-- Go's url.Values encodes them: values escaped, so a name starts the text
-- or follows an &.
UPDATE saved_views SET filter = substr(
	replace(replace(replace(replace('&' || filter,
		'&owner=', '&owner_id='),
		'&team=', '&team_id='),
		'&customer=', '&customer_id='),
		'&organization=', '&organization_id='),
	2);
