-- The dashboard's top sessions and projects in one pass over an index that is already in (session, project)
-- order and holds every column their sums need: no sort and no table lookup, even over a million calls.
-- It starts with session, so it serves every lookup the old session index did and replaces it.
DROP INDEX api_calls_session;
CREATE INDEX api_calls_session_project ON api_calls (session, project_dir, at, cost_micros, input_tokens,
                                                     output_tokens, cache_read_tokens, cache_write_tokens);
