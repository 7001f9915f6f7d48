"""The read-only JSON API other systems read (issue 17), version 1 at /api/v1/.

- main: the NinjaAPI instance, its error answers and URLs (read-only: GET only);
- auth: public access and bearer tokens, both rate-limited;
- tokens: issuing, finding, revoking and logging the use of tokens;
- public / private: the endpoints without and with a token;
- schemas: what each endpoint answers, described in Vietnamese in the document;
- selectors: the reads the endpoints need beyond awards' and reports' own.
"""
