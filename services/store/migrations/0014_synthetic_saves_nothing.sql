-- Claude Code's `<synthetic>` messages are made by Claude Code itself, not by an API call: they cost nothing,
-- and they saved nothing either. Earlier versions stored what the baseline model would have charged for their
-- tokens, which the savings line then counted as money saved. The update trigger moves the hourly rollup along.
UPDATE api_calls SET baseline_cost_micros = 0 WHERE model = '<synthetic>' AND baseline_cost_micros != 0;
