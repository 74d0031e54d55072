-- `report --by session|project` sums every column the rollup holds (baseline cost and errors too); with these
-- two at the end, the session index covers it as it covers the dashboard's top sessions and projects: one pass
-- over the index, no table lookup per call (a million calls: seconds before, a fraction of a second after).
DROP INDEX api_calls_session_project;
CREATE INDEX api_calls_session_project ON api_calls (session, project_dir, at, cost_micros, input_tokens,
                                                     output_tokens, cache_read_tokens, cache_write_tokens,
                                                     baseline_cost_micros, status);
