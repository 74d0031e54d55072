-- No query filters api_calls by model or by workflow: reports read those groupings from api_calls_hourly, and
-- the raw-row fallbacks select a time range first (api_calls_at). The two indexes cost two more b-tree writes
-- for every logged or ingested call (about a quarter of a cold transcript ingest's write time) and served nothing.
DROP INDEX IF EXISTS api_calls_workflow_at;
DROP INDEX IF EXISTS api_calls_model_at;
