// Shared by the API's mocks (api-cors.ts) and the local API emulator, which runs this template: no cdktf here.

/**
 * VTL that echoes the request's Origin when it is one of the allowed ones (a static header can name only one),
 * leaving the static first origin otherwise.
 */
export function echoAllowedOriginTemplate(origins: readonly string[]): string {
  const list = origins.map((o) => `"${o}"`).join(",");
  return [
    `#set($origin = $input.params().header.get("Origin"))`,
    `#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end`,
    `#set($allowed = [${list}])`,
    `#if($allowed.contains($origin))#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`,
  ].join("\n");
}
