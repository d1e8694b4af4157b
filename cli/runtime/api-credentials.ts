/**
 * The JSON API credential the CLI presents to a controller in auth mode (docs/json-api.md
 * "Auth mode"): `$VPCEMU_API_KEY` = `ACCESS_KEY_ID:SECRET`, one of the controller's
 * `--auth-keys`, sent as `Authorization: Bearer`. Unset: no header (a controller without auth
 * keys needs none). Why not $AWS_ACCESS_KEY_ID: real AWS keys must never reach an emulator.
 */
export function jsonApiAuthHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const key = env["VPCEMU_API_KEY"] ?? "";
  return key === "" ? {} : { authorization: `Bearer ${key}` };
}
