"""Budget and spike alerts over the api_calls table, and the weekly spend report."""
