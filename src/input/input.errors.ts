import { domainErrors, ErrorCode, type DomainError } from '../common/errors';
import { InputErrorReason, inputProblem, type InputProblem } from './input.rules';

export { InputErrorReason };

/** The input rules' reasons, each mapped once to the code clients see. */
export const inputError = domainErrors<InputErrorReason>({
  [InputErrorReason.INVALID_TEXT]: ErrorCode.BAD_USER_INPUT,
  [InputErrorReason.NOT_FINITE_NUMBER]: ErrorCode.BAD_USER_INPUT,
  [InputErrorReason.TOO_DEEP]: ErrorCode.BAD_USER_INPUT,
  [InputErrorReason.QUERY_TOO_COSTLY]: ErrorCode.BAD_USER_INPUT,
});

/**
 * Checks every argument of one field call; `perItem` names the arguments judged item by item by
 * their own resolver instead (trackEvents' events: one bad event must not sink the batch).
 */
export function assertInputRules(args: Record<string, unknown>, perItem?: ReadonlySet<string>): void {
  for (const name in args) {
    if (perItem?.has(name)) continue;
    const problem = inputProblem(args[name], name);
    if (problem) throw problemError(problem);
  }
}

export function problemError(problem: InputProblem): DomainError {
  return inputError(problem.reason, `${problem.field} ${problem.message}`, problem.field);
}
