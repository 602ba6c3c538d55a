-- Every synced fill carries a fingerprint, and an index over all of them (random 96-bit hashes)
-- cost the sync's hot path ~17 % of its write rate (16.6k → 20.0k fills/s without it in the
-- same benchmark). Its only reader was the importer's search for API-synced twins, which now
-- goes through fills_user_stream_idx instead: a twin lies within the same second of the same
-- stream, because the fingerprint covers the time to the second. The small partial index over
-- imported fills (fills_user_imported_fingerprint_idx) stays: the sync looks up imported twins
-- by fingerprint.
drop index if exists public.fills_user_fingerprint_idx;
