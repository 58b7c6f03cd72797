"""Run learners' code in a separate, limited worker process (no Textual here)."""
