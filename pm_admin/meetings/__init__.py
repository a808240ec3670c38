"""Meetings 会议: the committee roster, quarterly committee meetings and forums, minutes, action items."""
