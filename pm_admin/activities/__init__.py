"""Community activities 社区活动 (seed 001 05.3)."""
