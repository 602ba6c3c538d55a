-- The sync looks for imported twins of the fills it writes (same fingerprint, source 'import');
-- this small partial index answers "has this user imported anything?" without scanning their
-- fills, and finds the imported rows by fingerprint.
create index if not exists fills_user_imported_fingerprint_idx
  on public.fills (user_id, fingerprint) where source = 'import';
