// A real OpenID Connect provider (panva's oidc-provider) on the loopback address, standing in
// for a school's Microsoft Entra ID or Google Workspace in the single sign-on tests.
// Usage: node oidc_provider.mjs PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET
// Its development sign-in page takes any login: the login typed is the account's email.
import Provider from "oidc-provider";

const [port, redirect, clientId, clientSecret] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirect],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["ypsi-sso-test-only"] },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
