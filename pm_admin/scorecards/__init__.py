"""Staff scorecards 绩效: ticket work, callbacks and household work per person and department."""
