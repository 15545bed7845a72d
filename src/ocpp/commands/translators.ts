/** One translator per operator command; the mapped type makes a missing command a compile error. */
import { CommandError, type OperatorCommand, type OperatorCommandName } from '../../domain/commands/types.ts';
import type { CommandContext, CommandOf, Translated, Translator } from './context.ts';
import { changeAvailability, clearCache, dataTransfer, raw, reset, triggerMessage, unlockConnector } from './control.ts';
import { getLocalListVersion, sendLocalList } from './local-list.ts';
import { getLog, updateFirmware } from './maintenance.ts';
import { cancelReservation, reserveNow } from './reservations.ts';
import { clearChargingProfile, getCompositeSchedule, setChargingProfile } from './smart-charging.ts';
import { startTransaction, stopTransaction } from './transactions.ts';
import { getBaseReport, getVariables, setVariables } from './variables.ts';

const TRANSLATORS: { [N in OperatorCommandName]: Translator<N> } = {
  reset,
  changeAvailability,
  startTransaction,
  stopTransaction,
  unlockConnector,
  triggerMessage,
  getVariables,
  setVariables,
  getBaseReport,
  clearCache,
  sendLocalList,
  getLocalListVersion,
  reserveNow,
  cancelReservation,
  setChargingProfile,
  clearChargingProfile,
  getCompositeSchedule,
  updateFirmware,
  getLog,
  dataTransfer,
  raw,
};

export function translate<N extends OperatorCommandName>(command: CommandOf<N>, context: CommandContext): Promise<Translated> {
  const translator = TRANSLATORS[command.name as N] as Translator<N> | undefined;
  if (!translator) return Promise.reject(new CommandError('invalid', `unknown command ${String((command as OperatorCommand).name)}`));
  return translator(command, context);
}
