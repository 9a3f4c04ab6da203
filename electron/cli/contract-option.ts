import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { BUILTIN_CONTRACTS, builtinContract, parseContractProfile, type ContractProfile } from '../../shared/contract';

/** The words `--contract` takes besides a file, for help texts. */
export const CONTRACT_NAMES = Object.keys(BUILTIN_CONTRACTS).join(', ');

export const CONTRACT_OPTION_HELP = `the stream contract: a built-in name (${CONTRACT_NAMES}) or a contract file (JSON or YAML); default: detected per channel`;

/**
 * `--contract NAME|FILE` (and the older `--profile FILE`): a built-in contract by name, else a
 * contract file read and validated. Throws an Error whose message says what is wrong.
 */
export async function resolveContract(value: string): Promise<ContractProfile> {
  const builtin = builtinContract(value);
  if (builtin !== undefined) return builtin;
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `no built-in contract is called "${value}" (${CONTRACT_NAMES}) and no such file exists` : `cannot read contract ${value}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw new Error(`${value} is not JSON or YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const parsed = parseContractProfile(raw);
  if (!parsed.ok) throw new Error(`${value}: ${parsed.error}`);
  return parsed.profile;
}
