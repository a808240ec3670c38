"""The survey desk's writes and rules: plans and questions, responses, scoring, improvement actions."""
