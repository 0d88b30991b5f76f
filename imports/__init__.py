"""Imports: files in, articles and claims out — for uploads and `manage.py import_articles` alike.

- `uploads`: the one acceptance rule (suffixes, size, zip limits, manifest rows) that turns
  uploaded files or the command's paths into a batch of pending ImportFile rows;
- `queue`: working a batch — claim a group of files, parse, store, write the outcomes;
- `storing`: a processed article becomes an Article with its Claims and their history;
- `tasks`: the background task that works a batch, and enqueueing / resuming a batch;
- `progress`: a batch's files by outcome, and whether a worker is on it (via `django.tasks`
  and the workers' heartbeats);
- `models` / `workers`: a worker's heartbeat (WorkerHeartbeat), beaten by the project's
  `db_worker` command; a worker found silent has its tasks failed and its files handed on;
- `in_process`: importing files held as bytes, here and now (fixtures, demo, benches);
- `views` / `urls` / `forms`: the import pages, still at /sources/import/….

The batch models, ImportBatch and ImportFile, stay in `sources.models` with their tables. Moving
them here would make the two apps' models and migrations depend on each other in a circle —
an Article belongs to the ImportBatch that brought it (`Article.import_batch`), an ImportFile
points at the Article it gave (`article`, `duplicate_of`) — and Django's migration state for
those foreign keys would have to be moved with `SeparateDatabaseAndState` across both apps;
that buys a name, not a behaviour, for a real risk to existing databases.
"""
