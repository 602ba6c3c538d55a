-- Identity sequences of the tables above: the platform's default privileges grant every
-- sequence in public to anon and authenticated. Nobody but the service role inserts into these
-- tables (and identity columns need no sequence privilege to insert), so take them back.
-- Tables added later that users may insert into get their grants in their own migration.

do $$
declare
  seq regclass;
begin
  for seq in
    select c.oid::regclass
      from pg_class c
      join pg_depend d on d.objid = c.oid and d.deptype in ('a', 'i')
     where c.relkind = 'S' and c.relnamespace = 'public'::regnamespace
  loop
    execute format('revoke all on sequence %s from anon, authenticated', seq);
  end loop;
end
$$;
