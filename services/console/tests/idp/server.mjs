// A real OpenID provider for the console's tests: node-oidc-provider (certified by the OpenID
// Foundation) with its development login and consent pages. Any login name signs in; the
// account's claims (name, tenant, roles) come from the JSON file ACCOUNTS names, read on
// each sign-in so a test can add people while it runs.
//
//   PORT=9400 REDIRECT_URI=http://127.0.0.1:8107/auth/callback ACCOUNTS=accounts.json node server.mjs
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 9400);
const issuer = `http://127.0.0.1:${port}`;
const accountsFile = process.env.ACCOUNTS;

function account(id) {
  const all = accountsFile ? JSON.parse(readFileSync(accountsFile, "utf8")) : {};
  return all[id];
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID || "careerstream-console",
      client_secret: process.env.CLIENT_SECRET || "console-test-secret",
      redirect_uris: (process.env.REDIRECT_URI || "http://127.0.0.1:8107/auth/callback").split(","),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  scopes: ["openid", "profile", "email"],
  claims: { openid: ["sub"], profile: ["name", "tid", "roles"], email: ["email"] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["careerstream-test-idp-cookie-key"] },
  async findAccount(ctx, id) {
    const a = account(id);
    if (!a) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: a.name, tid: a.tid, roles: a.roles, email: a.email };
      },
    };
  },
  renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = `<!doctype html><title>error</title><pre>${JSON.stringify(out)}</pre>`;
  },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
