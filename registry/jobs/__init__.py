"""Background jobs: work started from the web that runs in the task worker, with a page that
shows how far it has got and what came of it."""
