/** Device model variables (2.0.1) and configuration keys (1.6, component 'OCPP16'). */
import { sql, type Selectable } from 'kysely';
import { NotFoundError } from '../../domain/errors.ts';
import type { DeviceVariable, JsonValue } from '../../domain/model.ts';
import type { DeviceModelRepository, DeviceVariableInput, VariableKey } from '../../domain/ports.ts';
import type { DeviceModelVariablesTable } from '../schema.ts';
import { isForeignKeyViolation, orNullId, orNullText, type Executor } from './convert.ts';

function toVariable(row: Selectable<DeviceModelVariablesTable>): DeviceVariable {
  return {
    stationId: row.station_id,
    component: row.component,
    componentInstance: orNullText(row.component_instance),
    evseId: orNullId(row.evse_id),
    connectorId: orNullId(row.connector_id),
    variable: row.variable,
    variableInstance: orNullText(row.variable_instance),
    attributeType: row.attribute_type,
    value: row.value,
    mutability: row.mutability,
    data: row.data as JsonValue | null,
    updatedAt: row.updated_at,
  };
}

/** Key columns cannot be NULL: '' and 0 stand for "none". */
function keyOf(stationId: string, key: VariableKey) {
  return {
    station_id: stationId,
    component: key.component,
    component_instance: key.componentInstance ?? '',
    evse_id: key.evseId ?? 0,
    connector_id: key.connectorId ?? 0,
    variable: key.variable,
    variable_instance: key.variableInstance ?? '',
    attribute_type: key.attributeType ?? 'Actual',
  };
}

export function createDeviceModelRepository(db: Executor): DeviceModelRepository {
  return {
    async upsert(stationId, variables: readonly DeviceVariableInput[]) {
      if (variables.length === 0) return;
      // Last one wins when a batch repeats a key (ON CONFLICT cannot touch a row twice in one statement).
      const rows = new Map<string, DeviceVariableInput>();
      for (const v of variables) rows.set(JSON.stringify(Object.values(keyOf(stationId, v))), v);
      const json = JSON.stringify(
        [...rows.values()].map((v) => ({ ...keyOf(stationId, v), value: v.value ?? null, mutability: v.mutability ?? null, data: v.data ?? null })),
      );
      try {
        await sql`
          insert into device_model_variables (station_id, component, component_instance, evse_id, connector_id, variable,
                                              variable_instance, attribute_type, value, mutability, data)
          select * from json_to_recordset(${json}::json) as v(station_id text, component text, component_instance text,
               evse_id integer, connector_id integer, variable text, variable_instance text, attribute_type text,
               value text, mutability text, data jsonb)
          on conflict (station_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type)
          do update set value = excluded.value, mutability = coalesce(excluded.mutability, device_model_variables.mutability),
                        data = coalesce(excluded.data, device_model_variables.data), updated_at = now()
        `.execute(db);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', stationId);
        throw err;
      }
    },

    async get(stationId, key) {
      const k = keyOf(stationId, key);
      const row = await db
        .selectFrom('device_model_variables')
        .selectAll()
        .where('station_id', '=', k.station_id)
        .where('component', '=', k.component)
        .where('component_instance', '=', k.component_instance)
        .where('evse_id', '=', k.evse_id)
        .where('connector_id', '=', k.connector_id)
        .where('variable', '=', k.variable)
        .where('variable_instance', '=', k.variable_instance)
        .where('attribute_type', '=', k.attribute_type)
        .executeTakeFirst();
      return row && toVariable(row);
    },

    async list(stationId, filter) {
      let query = db
        .selectFrom('device_model_variables')
        .selectAll()
        .where('station_id', '=', stationId)
        .orderBy('component')
        .orderBy('component_instance')
        .orderBy('evse_id')
        .orderBy('connector_id')
        .orderBy('variable')
        .orderBy('variable_instance')
        .orderBy('attribute_type');
      if (filter?.component !== undefined) query = query.where('component', '=', filter.component);
      if (filter?.variable !== undefined) query = query.where('variable', '=', filter.variable);
      return (await query.execute()).map(toVariable);
    },

    async clear(stationId) {
      const result = await db.deleteFrom('device_model_variables').where('station_id', '=', stationId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
