-- Grain state for Orleans' ADO.NET storage provider (Microsoft.Orleans.Persistence.AdoNet).
--
-- The provider issues only the statements stored in orleansquery, by key, and binds parameters and
-- reads columns by name: those names and types are the contract kept here. It writes the state as
-- @PayloadBinary (the gateway uses Orleans' binary format); the XML and JSON columns stay for the
-- read contract only. Versions are integers; a write that returns the version it was given (not one
-- more) has lost a race, and the provider raises InconsistentStateException.

create table if not exists orleansquery
(
    querykey  varchar(64)   not null,
    querytext varchar(8000) not null,
    constraint orleansquery_key primary key (querykey)
);

create table if not exists orleansstorage
(
    grainidhash            integer      not null,
    grainidn0              bigint       not null,
    grainidn1              bigint       not null,
    graintypehash          integer      not null,
    graintypestring        varchar(512) not null,
    grainidextensionstring varchar(512),
    serviceid              varchar(150) not null,
    payloadbinary          bytea,
    payloadxml             xml,
    payloadjson            text,
    modifiedon             timestamp    not null,
    version                integer
);

-- Lookups go by the two hashes first; the remaining identity columns settle collisions.
create index if not exists ix_orleansstorage_hashes on orleansstorage using btree (grainidhash, graintypehash);

-- Retention sweeps look for old rows of one grain type.
create index if not exists ix_orleansstorage_type_modified on orleansstorage using btree (serviceid, graintypestring, modifiedon);

create or replace function imageorleans_write_grain_state(
    p_grainidhash integer,
    p_grainidn0 bigint,
    p_grainidn1 bigint,
    p_graintypehash integer,
    p_graintypestring varchar,
    p_grainidextensionstring varchar,
    p_serviceid varchar,
    p_version integer,
    p_payloadbinary bytea)
    returns table (newgrainstateversion integer)
    language plpgsql
as
$body$
declare
    written integer := 0;
begin
    if p_version is not null then
        -- A state that was read before: replace it only if nobody else wrote in between.
        update orleansstorage
        set payloadbinary = p_payloadbinary,
            modifiedon    = (now() at time zone 'utc'),
            version       = version + 1
        where grainidhash = p_grainidhash
          and graintypehash = p_graintypehash
          and grainidn0 = p_grainidn0
          and grainidn1 = p_grainidn1
          and graintypestring = p_graintypestring
          and grainidextensionstring is not distinct from p_grainidextensionstring
          and serviceid = p_serviceid
          and version = p_version;
        get diagnostics written = row_count;
        return query select case when written > 0 then p_version + 1 else p_version end;
        return;
    end if;

    -- A first write: only one of several racing activations may create the row.
    insert into orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                                grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
    select p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring,
           p_grainidextensionstring, p_serviceid, p_payloadbinary, (now() at time zone 'utc'), 1
    where not exists (select 1
                      from orleansstorage
                      where grainidhash = p_grainidhash
                        and graintypehash = p_graintypehash
                        and grainidn0 = p_grainidn0
                        and grainidn1 = p_grainidn1
                        and graintypestring = p_graintypestring
                        and grainidextensionstring is not distinct from p_grainidextensionstring
                        and serviceid = p_serviceid);
    get diagnostics written = row_count;
    return query select case when written > 0 then 1 else null::integer end;
end;
$body$;

insert into orleansquery (querykey, querytext) values
('WriteToStorageKey', '
    select newgrainstateversion from imageorleans_write_grain_state(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
        @ServiceId, @GrainStateVersion, @PayloadBinary);'),

('ReadFromStorageKey', '
    select payloadbinary, payloadxml, payloadjson, (now() at time zone ''utc''), version
    from orleansstorage
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and graintypestring = @GrainTypeString
      and grainidextensionstring is not distinct from @GrainIdExtensionString
      and serviceid = @ServiceId;'),

('ClearStorageKey', '
    update orleansstorage
    set payloadbinary = null, payloadjson = null, payloadxml = null, version = version + 1
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and graintypestring = @GrainTypeString
      and grainidextensionstring is not distinct from @GrainIdExtensionString
      and serviceid = @ServiceId
      and version = @GrainStateVersion
    returning version as newgrainstateversion;'),

('DeleteStorageKey', '
    delete from orleansstorage
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and graintypestring = @GrainTypeString
      and grainidextensionstring is not distinct from @GrainIdExtensionString
      and serviceid = @ServiceId
      and version = @GrainStateVersion
    returning version + 1 as newgrainstateversion;')
on conflict (querykey) do update set querytext = excluded.querytext;
