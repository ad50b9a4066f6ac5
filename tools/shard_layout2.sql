-- shard_layout2.sql - run on every shard of a sharded collection of
-- layout 1 (made by malgopher before the shards' token index): keys each
-- token partition set_tokens_pNN by its token (slot << 32 | value,
-- sample_id) as db init --shard now makes it, then drops the old key.
-- Then, on the coordinator:
--   CREATE TABLE malgopher_shard_layout (version INTEGER NOT NULL);
--   INSERT INTO malgopher_shard_layout (version) VALUES (2);
-- docs/collection.md "Upgrading"; usage: psql "SHARD-URI" -f tools/shard_layout2.sql
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables
             WHERE schemaname = current_schema() AND tablename ~ '^set_tokens_p[0-9]+$' LOOP
        EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I ((slot::bigint << 32 | value), sample_id)',
                       t || '_token', t);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT IF EXISTS %I', t, t || '_pkey');
    END LOOP;
END $$;
