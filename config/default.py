"""Settings shared by every environment. Secrets never live here: see production.py."""

from datetime import timedelta

SECRET_KEY = "development-only-secret-key-change-me"
#: None means "SQLite file in the instance folder" (resolved by the app factory).
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
#: PostgreSQL ends a session left idle inside a transaction this long (a frozen process must
#: not hold its row locks and job claims for ever), and any statement running this long (row
#: lock waits included). Longer than any network call made inside a transaction (SMTP, the
#: payment gateway); 0 turns one off. Each process may set its own (WX_DATABASE_…), e.g. a
#: longer statement timeout for the scheduler, whose nightly jobs read every organization.
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 120_000
DATABASE_STATEMENT_TIMEOUT_MS = 60_000
WTF_CSRF_TIME_LIMIT = None
#: "Keep me logged in" lasts this long; log-out, a new password or a suspension ends it sooner
REMEMBER_COOKIE_DURATION = timedelta(days=30)
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

#: "offline" uses the packaged gazetteer; "nominatim" uses GEOCODER_NOMINATIM_URL.
GEOCODER = "offline"
GEOCODER_NOMINATIM_URL = "https://nominatim.openstreetmap.org"
GEOCODER_USER_AGENT = "warehouse-exchange"

#: Currency in which exchange rates are quoted (units of currency per one base unit).
BASE_CURRENCY = "EUR"

SEARCH_DEFAULT_PER_PAGE = 20
SEARCH_MAX_PER_PAGE = 100
SEARCH_DEFAULT_RADIUS_KM = 200
SEARCH_MAX_RADIUS_KM = 20_000
#: matches are counted this far; a broader search shows "more than 1,000"
SEARCH_COUNT_LIMIT = 1000

#: Map tiles, a Leaflet URL template ("https://tile.openstreetmap.org/{z}/{x}/{y}.png") and
#: the attribution its provider requires (HTML). Empty: the maps draw only the country
#: outlines shipped with the project, and no request leaves the site. Set both in production
#: (WX_MAP_TILE_URL, WX_MAP_TILE_ATTRIBUTION), within the provider's usage policy.
MAP_TILE_URL = ""
MAP_TILE_ATTRIBUTION = ""
LIST_PER_PAGE = 20

INVITATION_VALID_DAYS = 7

#: An API token is refused after this many days; its creator may choose fewer.
API_TOKEN_VALID_DAYS = 90
#: The lifetimes (days) the profile page offers, besides API_TOKEN_VALID_DAYS itself.
API_TOKEN_LIFETIME_CHOICES = (7, 30)
#: A token's "last used" is rewritten at most this often, so that reading with a token does
#: not write to the database on every request.
API_TOKEN_LAST_USE_SECONDS = 3600

#: Where uploaded evidence (photos, documents) is kept: "disk" (UPLOAD_FOLDER on this host)
#: or "s3" (a bucket in S3-compatible object storage, which every host shares; set
#: WX_FILE_STORAGE=s3). Either way files are private and read only through the app's
#: permission checks; while the store is down, uploads and reads answer 503.
FILE_STORAGE = "disk"
#: The folder for "disk", outside the web root; None means "uploads" in the instance folder.
UPLOAD_FOLDER = None
#: For "s3": WX_S3_BUCKET (must exist), WX_S3_ENDPOINT_URL (None: AWS itself; e.g.
#: https://minio.internal:9000), WX_S3_REGION, and the keys WX_S3_ACCESS_KEY_ID and
#: WX_S3_SECRET_ACCESS_KEY (secrets: environment only; None: boto3's own chain, i.e. AWS_*
#: variables or the host's instance role). The keys need s3:PutObject, s3:GetObject and
#: s3:ListBucket (for /readyz) on the bucket; block public access on it.
S3_BUCKET = None
S3_ENDPOINT_URL = None
S3_REGION = None
S3_ACCESS_KEY_ID = None
S3_SECRET_ACCESS_KEY = None
#: "auto", "path" (most self-hosted servers) or "virtual"
S3_ADDRESSING_STYLE = "auto"
#: A store that refuses connections fails an upload at once; one that hangs, within about
#: S3_MAX_ATTEMPTS x (1 + S3_READ_TIMEOUT_SECONDS) seconds (boto3 first waits 1 s for a
#: "100 Continue"). Attempts include the first.
S3_CONNECT_TIMEOUT_SECONDS = 2
S3_READ_TIMEOUT_SECONDS = 3
S3_MAX_ATTEMPTS = 2
#: The largest file accepted; a request may carry a few of them.
UPLOAD_MAX_BYTES = 5_000_000
MAX_CONTENT_LENGTH = 6 * UPLOAD_MAX_BYTES
#: Images declaring more pixels than this, or a side longer than UPLOAD_MAX_IMAGE_SIDE, are
#: refused: a small file may declare a picture that takes gigabytes to decode.
UPLOAD_MAX_IMAGE_PIXELS = 40_000_000
UPLOAD_MAX_IMAGE_SIDE = 10_000
#: Photos a warehouse or a listing may have; each is kept as its re-encoded original, a
#: display size and a thumbnail.
PHOTOS_PER_PARENT = 20

#: Send Strict-Transport-Security (one year, with subdomains) on HTTPS responses, so browsers
#: never use plain HTTP for the site again. Only production turns it on: development is HTTP.
STRICT_TRANSPORT_SECURITY = False

#: Rate limits on (the test configuration turns them off). Said here, not left to
#: Flask-Limiter, whose switch is one per process and would otherwise carry over from the
#: last app made.
RATELIMIT_ENABLED = True
#: Where the per-address rate limits count. "memory://" counts in each process apart, so with
#: several workers set WX_RATELIMIT_STORAGE_URI=redis://host:6379/0 to share one count (and
#: WX_RATELIMIT_KEY_PREFIX when several sites share that Redis).
RATELIMIT_STORAGE_URI = "memory://"
#: While that storage is down, each process counts for itself rather than failing requests.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_HEADERS_ENABLED = True
#: Log-ins (the page and POST /api/v1/tokens together) from one address.
LOGIN_RATE_LIMIT = "10 per minute"
#: Registrations and invitation acceptances (pages and API together) from one address.
SIGNUP_RATE_LIMIT = "10 per hour"
#: Behind a reverse proxy, how many proxies add X-Forwarded-For: the client's address is taken
#: from there instead of the connection (0: no proxy, never trust the header).
TRUSTED_PROXIES = 0
#: Whatever the address: after LOGIN_LOCKOUT_FAILURES failed log-ins with one email address
#: within LOGIN_LOCKOUT_WINDOW_MINUTES, log-in with it is refused for LOGIN_LOCKOUT_MINUTES,
#: and the account's owner gets an email.
LOGIN_LOCKOUT_FAILURES = 10
LOGIN_LOCKOUT_WINDOW_MINUTES = 15
LOGIN_LOCKOUT_MINUTES = 15

API_TITLE = "Warehouse Exchange API"
API_VERSION = "v1"
OPENAPI_VERSION = "3.0.3"
OPENAPI_URL_PREFIX = "/api/v1"
OPENAPI_JSON_PATH = "openapi.json"

#: Platform commission and guarantee fee on a booking, in basis points of its subtotal.
BOOKING_COMMISSION_BP = 800
BOOKING_GUARANTEE_BP = 200
#: An owner has this long to accept or decline a request before it expires.
BOOKING_REQUEST_TTL_HOURS = 48
#: The platform's fee on a lease transfer, in basis points of the price the taker pays; the
#: tenant who hands the lease on is paid the rest.
TRANSFER_FEE_BP = 300
#: A tenant has this long after acceptance to pay the whole total into escrow.
BOOKING_PAYMENT_WINDOW_HOURS = 72
#: An owner who cancels a paid lease owes this share of its rent to the guarantee reserve,
#: taken from the owner's next releases.
OWNER_CANCELLATION_PENALTY_BP = 1000
#: A tenant may pay monthly (one instalment per month of the lease) only for leases of more
#: than this many months; shorter leases are paid up front.
PAYMENT_PLAN_MONTHLY_AFTER_MONTHS = 3
#: Each monthly instalment after the first falls due this many days before its month starts.
PAYMENT_DUE_DAYS_BEFORE = 5
#: A listing that pays its owner from check-in releases the first instalment when the goods
#: are first checked in, or this many days after the lease's first day if none came.
RELEASE_CHECK_IN_WAIT_DAYS = 14
#: An instalment still unpaid this many days after its due date is paid to the owner from the
#: guarantee reserve, and the tenant is in default.
PAYMENT_GRACE_DAYS = 7

#: "json": every log record one JSON line on stderr (requests and job runs included), for a
#: log shipper; "text": Python's and the development server's own readable lines.
LOG_FORMAT = "text"
LOG_LEVEL = "INFO"

#: Prometheus scrapes /metrics from these addresses or networks, or with
#: `Authorization: Bearer METRICS_TOKEN` (a secret: WX_METRICS_TOKEN); anyone else gets a 404.
#: Behind a proxy on this host set TRUSTED_PROXIES, or every visitor would come from 127.0.0.1.
METRICS_ALLOWED_ADDRESSES = ("127.0.0.1", "::1")
METRICS_TOKEN = ""
#: `flask scheduler run` serves its own metrics (jobs, releases) on 127.0.0.1 at this port;
#: None: not at all (with PROMETHEUS_MULTIPROC_DIR shared with the web, the web's /metrics
#: shows them on a single host).
SCHEDULER_METRICS_PORT = None

#: Run the scheduled jobs inside this process (the development server). Production runs
#: `flask scheduler run` as its own process instead, never inside gunicorn workers.
SCHEDULER_IN_PROCESS = False
#: A scheduler host whose clock differs from the database's by more than this (seconds) runs
#: no job: jobs release escrow by the time, and a clock running ahead would release it early.
SCHEDULER_MAX_CLOCK_SKEW_SECONDS = 5
#: Outside production, operators may move the clock forward (`flask demo advance --days N`, or
#: the jobs page) to take leases to their end without waiting; production ignores this.
DEMO_CLOCK = True

#: Where tenants send bank transfers into escrow: an account held apart from the platform's
#: own money. Shown on every booking that awaits payment.
ESCROW_BANK_ACCOUNT = {
    "holder": "Warehouse Exchange Escrow Account",
    "bank": "Example Escrow Bank N.V., Amsterdam",
    "iban": "NL91 ABNA 0417 1643 00",
    "bic": "ABNANL2A",
}

#: How tenants pay into escrow: "bank_transfer" (to ESCROW_BANK_ACCOUNT) or "stripe".
PAYMENT_METHOD = "bank_transfer"
#: Stripe, used only when PAYMENT_METHOD is "stripe". The secrets come from the environment
#: (WX_STRIPE_SECRET_KEY, WX_STRIPE_WEBHOOK_SECRET); build_gateway refuses to run without them.
STRIPE_SECRET_KEY = ""
#: The browser's key for Stripe Elements on the card payment page.
STRIPE_PUBLISHABLE_KEY = ""
STRIPE_WEBHOOK_SECRET = ""
#: Tests point this at localstripe.
STRIPE_API_BASE = "https://api.stripe.com"
#: Webhooks signed longer ago than this are refused, so a captured one cannot be replayed.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

#: The site's public address: links in emails are this plus a path (no trailing slash).
PUBLIC_BASE_URL = "http://127.0.0.1:5000"
#: How notification emails leave: "log" writes each one to the log instead of sending it;
#: "smtp" sends through the server below (WX_MAIL_SMTP_PASSWORD from the environment).
MAIL_TRANSPORT = "log"
MAIL_FROM = "Warehouse Exchange <no-reply@warehouse-exchange.example>"
MAIL_SMTP_HOST = "localhost"
MAIL_SMTP_PORT = 587
MAIL_SMTP_USER = ""
MAIL_SMTP_PASSWORD = ""
#: "starttls", "ssl" (TLS from the first byte, usually port 465) or "none"
MAIL_SMTP_TLS = "starttls"
MAIL_SMTP_TIMEOUT_SECONDS = 10
#: An email that could not be sent is tried again after 1, 2, 4, … minutes, never more than
#: MAIL_RETRY_MAX_MINUTES apart; after MAIL_MAX_ATTEMPTS tries it stays in the outbox as failed.
MAIL_RETRY_MAX_MINUTES = 60
MAIL_MAX_ATTEMPTS = 20
#: One run of the send-emails job (every minute) takes on no new email after this many seconds;
#: it ends at most one hand-over later (a few MAIL_SMTP_TIMEOUT_SECONDS).
MAIL_RUN_SECONDS = 50
#: A runner holds an email this long while handing it over, outside any transaction; if it dies
#: meanwhile, the email is due again after that. Longer than any one hand-over can take.
MAIL_CLAIM_SECONDS = 300
#: After this many emails in a row find the mail server unreachable (refused, timed out, hung),
#: a run stops trying, and runs in the same process leave that server alone for
#: MAIL_BREAKER_COOLDOWN_SECONDS; the other emails wait, their attempts not counted.
MAIL_BREAKER_FAILURES = 3
MAIL_BREAKER_COOLDOWN_SECONDS = 120

#: The party a dispute is opened against has this many days to answer; operators then have
#: DISPUTE_REVIEW_DAYS more to decide before the case is escalated.
DISPUTE_RESPONSE_DAYS = 5
DISPUTE_REVIEW_DAYS = 10
#: Each party (organization) writes at most this many messages in one dispute's thread in
#: any hour; operators are not limited.
DISPUTE_MESSAGES_PER_HOUR = 30
#: The most the guarantee reserve pays a tenant on one dispute, per currency in minor units;
#: a currency not listed gets no reserve payout.
DISPUTE_RESERVE_CASE_LIMIT = {
    "EUR": 500_000, "USD": 500_000, "GBP": 500_000, "CNY": 4_000_000, "JPY": 800_000,
}  # fmt: skip
