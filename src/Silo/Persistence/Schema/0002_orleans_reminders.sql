-- Reminders for Orleans' ADO.NET reminder service (Microsoft.Orleans.Reminders.AdoNet): the provider
-- binds @ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, @Version, @BeginHash and
-- @EndHash, and reads GrainId, ReminderName, StartTime, Period and Version by name.

create table if not exists orleansreminderstable
(
    serviceid    varchar(150)   not null,
    grainid      varchar(150)   not null,
    remindername varchar(150)   not null,
    starttime    timestamptz(3) not null,
    period       bigint         not null,
    grainhash    integer        not null,
    version      integer        not null,
    constraint pk_reminderstable_serviceid_grainid_remindername primary key (serviceid, grainid, remindername)
);

-- Each silo reads the reminders of its slice of the hash ring.
create index if not exists ix_reminderstable_serviceid_grainhash on orleansreminderstable (serviceid, grainhash);

create or replace function imageorleans_upsert_reminder(
    p_serviceid varchar,
    p_grainid varchar,
    p_remindername varchar,
    p_starttime timestamptz,
    p_period bigint,
    p_grainhash integer)
    returns table (version integer)
    language sql
as
$body$
    insert into orleansreminderstable (serviceid, grainid, remindername, starttime, period, grainhash, version)
    values (p_serviceid, p_grainid, p_remindername, p_starttime, p_period, p_grainhash, 0)
    on conflict (serviceid, grainid, remindername) do update
        set starttime = excluded.starttime,
            period    = excluded.period,
            grainhash = excluded.grainhash,
            version   = orleansreminderstable.version + 1
    returning orleansreminderstable.version;
$body$;

create or replace function imageorleans_delete_reminder(
    p_serviceid varchar,
    p_grainid varchar,
    p_remindername varchar,
    p_version integer)
    returns table (row_count integer)
    language plpgsql
as
$body$
declare
    deleted integer := 0;
begin
    delete from orleansreminderstable
    where serviceid = p_serviceid
      and grainid = p_grainid
      and remindername = p_remindername
      and version = p_version;
    get diagnostics deleted = row_count;
    return query select deleted;
end;
$body$;

insert into orleansquery (querykey, querytext) values
('UpsertReminderRowKey', '
    select version from imageorleans_upsert_reminder(@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash);'),

('ReadReminderRowsKey', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainid = @GrainId;'),

('ReadReminderRowKey', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainid = @GrainId and remindername = @ReminderName;'),

('ReadRangeRows1Key', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainhash > @BeginHash and grainhash <= @EndHash;'),

('ReadRangeRows2Key', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and (grainhash > @BeginHash or grainhash <= @EndHash);'),

('DeleteReminderRowKey', '
    select row_count from imageorleans_delete_reminder(@ServiceId, @GrainId, @ReminderName, @Version);'),

('DeleteReminderRowsKey', '
    delete from orleansreminderstable where serviceid = @ServiceId;')
on conflict (querykey) do update set querytext = excluded.querytext;
