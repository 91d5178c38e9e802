#!/usr/bin/env bash
# Prints deploy/compose.yaml for a number of ClinicService cells (one per shard, each on its own PostgreSQL
# server): the one setting that grows the system. scripts/containers/manifest.sh writes it for the AppHost's
# Clinics:ShardCount (AppHost/appsettings.json), the same setting processes mode runs with, and
# DeploymentDescriptionTests fail when the committed file is not what this prints.
#   scripts/containers/compose.sh [--cells N] [--replicas N] [--global-replicas N] > deploy/compose.yaml
# (--replicas: streaming replicas per shard, Replicas:PerShard; --global-replicas: of the global server, Replicas:Global.)
set -euo pipefail
cd "$(dirname "$0")/../.."

cells=$(sed -n 's/.*"ShardCount": *\([0-9]*\).*/\1/p' AppHost/appsettings.json)
replicas=$(sed -n 's/.*"PerShard": *\([0-9]*\).*/\1/p' AppHost/appsettings.json)
global_replicas=$(sed -n 's/.*"Global": *\([0-9]*\).*/\1/p' AppHost/appsettings.json)
while [ $# -gt 0 ]; do
  case $1 in
    --cells) cells=$2; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --global-replicas) global_replicas=$2; shift 2 ;;
    *) echo "usage: compose.sh [--cells N] [--replicas N] [--global-replicas N]" >&2; exit 2 ;;
  esac
done
case $cells in [1-9]|1[0-6]) ;; *) echo "cells must be 1 to 16, not '$cells'" >&2; exit 2 ;; esac
case $replicas in [0-4]) ;; *) echo "replicas must be 0 to 4, not '$replicas'" >&2; exit 2 ;; esac
case $global_replicas in [0-4]) ;; *) echo "global replicas must be 0 to 4, not '$global_replicas'" >&2; exit 2 ;; esac
shards=$(seq 0 $((cells - 1)))
replica_numbers=$(seq 0 $((replicas - 1)))
global_replica_numbers=$(seq 0 $((global_replicas - 1)))

# Ports on the host network: PostgreSQL shard N listens on 17433+N, its replica R on 17500+16R+N, the global
# server's replica R on 17570+R, cell N on 17100+N.
shard_port() { echo $((17433 + $1)); }
replica_port() { echo $((17500 + 16 * $2 + $1)); }
global_replica_port() { echo $((17570 + $1)); }
cell_port() { echo $((17100 + $1)); }
# The names a service talks to, all on this host (network_mode: host).
hosts() {
  echo "    extra_hosts:"
  for name in "$@"; do echo "      - \"$name:127.0.0.1\""; done
}

cat <<YAML
# ClinicBooking from images: the same system the AppHost starts (IdentityService, CustomerService,
# NotificationService, ConsultationService, PaymentService, a gateway, the web app, $cells ClinicService cells on $cells shard databases ($replicas streaming replica(s) each), PostgreSQL
# ($global_replicas hot standby(s) of the global server), Redis and RabbitMQ), each service from its own image (scripts/containers/build.sh). Start it with
# scripts/containers/up.sh, which writes the secrets file this reads, or:
#   docker-compose -p clinicbooking --env-file SECRETS -f deploy/compose.yaml up -d
#
# Written by scripts/containers/compose.sh (through scripts/containers/manifest.sh): do not edit by hand.
# Adding a cell (a shard) is one setting: Clinics:ShardCount in AppHost/appsettings.json. Then run
# scripts/containers/manifest.sh and docker-compose up -d: the new shard's server and cell start, the gateway
# is recreated with the new shard in its map, and the cells already running are left alone.
#
# Settings (environment or the --env-file):
#   REGISTRY, TAG             where the images come from (default 127.0.0.1:5000, latest)
#   PUBLIC_URL, WEBAPP_URL    the addresses people use (default http://localhost:5080 and :5090); the
#                             gateway is the token issuer, and the web app's sign-in comes back to WEBAPP_URL
#   OTLP_ENDPOINT             where the services send traces, metrics and logs (OpenTelemetry, OTLP over
#                             HTTP); none when empty
#   MAIL_URL                  the SMTP server mail goes to: smtp://host:port, or smtps://user:password@host:465
#                             (default smtp://127.0.0.1:2525, where a local test server may listen)
#   SMS_PROVIDER              where text messages go: Twilio, with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
#                             TWILIO_FROM (a number or messaging service SID), or Fake (the default here: the
#                             local provider that keeps what it got, at /operations/fake-sms)
#   SMS_DEFAULT_REGION        the country of phone numbers written without +country code (default GB)
#   VIDEO_PROVIDER            where online appointments take place: Jitsi, with JITSI_DOMAIN (and, for a
#                             deployment with token authentication, JITSI_APP_ID and JITSI_APP_SECRET), or
#                             Local (the default here: the provider inside ConsultationService, join pages
#                             on the gateway under /video)
#   PAYMENTS_PROVIDER         who takes card payments: Stripe, with PAYMENTS_SECRET_KEY (sk_live_… or sk_test_…)
#                             and PAYMENTS_WEBHOOK_SECRET (the endpoint's whsec_…, for PUBLIC_URL/payments/webhooks),
#                             or Local (the default here: the Stripe-shaped provider inside PaymentService, its
#                             payment pages on the gateway under /local-pay; the two secrets are then its own)
#   ADMIN_PASSWORD, OPS_CLIENT_SECRET, KEY_ENCRYPTION_KEY, WEBAPP_FORWARDER_KEY, POSTGRES_PASSWORD,
#   CUSTOMERS_DB_PASSWORD, IDENTITY_DB_PASSWORD, NOTIFICATIONS_DB_PASSWORD, CONSULTATIONS_DB_PASSWORD, PAYMENTS_DB_PASSWORD,
#   SHARD_DB_PASSWORD, REPLICATION_PASSWORD, REDIS_PASSWORD, RABBITMQ_PASSWORD, VIDEO_SIGNING_KEY, PAYMENTS_SECRET_KEY, PAYMENTS_WEBHOOK_SECRET
#                             secrets: never in an image, never in this file
#
# Networking: every container shares the host's network (network_mode: host), so the one public URL reaches
# the gateway from browsers and from the web app's and services' back channels alike, as in processes mode,
# and each service has a port of its own. Service names resolve to 127.0.0.1 (extra_hosts), so the URLs
# below name services, not ports on a machine. Each service names only what it talks to, so a new cell changes
# the gateway and nothing else.

# Every container: host network, restarted by the engine when it exits (a crash, a kill), logs to stdout.
x-container: &container
  network_mode: host
  restart: unless-stopped
  stop_grace_period: 30s

# Every service: telemetry to the OTLP endpoint when one is set (each names itself with OTEL_SERVICE_NAME),
# kept in memory and retried while the collector is away.
x-telemetry: &telemetry
  OTEL_EXPORTER_OTLP_ENDPOINT: \${OTLP_ENDPOINT:-}
  OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf
  OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY: in_memory

# A service is healthy when its readiness endpoint answers (the probe is the service's own binary: the
# images carry no curl). Starting, migrations included, may take a while on a small machine.
x-probe: &probe
  interval: 5s
  timeout: 10s
  retries: 3
  start_period: 180s

services:
  postgres-global:
    <<: *container
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/postgres:15
    environment:
      PG_PORT: "17432"
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?}
      # Each database is owned by a login role of its own, which only its service uses.
      DATABASE_OWNERS: |
        customers customers_owner \${CUSTOMERS_DB_PASSWORD:?}
        identity identity_owner \${IDENTITY_DB_PASSWORD:?}
        notifications notifications_owner \${NOTIFICATIONS_DB_PASSWORD:?}
        consultations consultations_owner \${CONSULTATIONS_DB_PASSWORD:?}
        payments payments_owner \${PAYMENTS_DB_PASSWORD:?}
$([ "$global_replicas" -gt 0 ] && printf '      REPLICATION_USER: replicator\n      REPLICATION_PASSWORD: ${REPLICATION_PASSWORD:?}')
    volumes: ["postgres-global:/var/lib/postgresql/data"]
YAML
# Its streaming replicas: hot standbys of every global database, to promote or back up from; no service reads them.
for r in $global_replica_numbers; do cat <<YAML

  postgres-global-replica-$r:
    <<: *container
$(hosts postgres-global)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/postgres:15
    command: ["/usr/local/bin/postgres-replica.sh"]
    environment:
      PG_PORT: "$(global_replica_port "$r")"
      LISTEN_ADDRESS: 0.0.0.0
      PRIMARY_HOST: postgres-global
      PRIMARY_PORT: "17432"
      REPLICATION_USER: replicator
      REPLICATION_PASSWORD: \${REPLICATION_PASSWORD:?}
      REPLICA_NAME: postgres-global-replica-$r
    volumes: ["postgres-global-replica-$r:/var/lib/postgresql/data"]
    depends_on:
      postgres-global: { condition: service_healthy }
YAML
done

for n in $shards; do cat <<YAML

  postgres-shard-$n:
    <<: *container
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/postgres:15
    environment:
      PG_PORT: "$(shard_port "$n")"
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?}
      DATABASE_OWNERS: "clinics clinics_owner \${SHARD_DB_PASSWORD:?}"
$([ "$replicas" -gt 0 ] && printf '      REPLICATION_USER: replicator\n      REPLICATION_PASSWORD: ${REPLICATION_PASSWORD:?}')
    volumes: ["postgres-shard-$n:/var/lib/postgresql/data"]
YAML
  # Its streaming replicas: a copy made with pg_basebackup at the first start, a hot standby after (the same
  # image, its replica script). The cell reads what may be stale from them; it does not wait for them.
  for r in $replica_numbers; do cat <<YAML

  postgres-shard-$n-replica-$r:
    <<: *container
$(hosts "postgres-shard-$n")
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/postgres:15
    command: ["/usr/local/bin/postgres-replica.sh"]
    environment:
      PG_PORT: "$(replica_port "$n" "$r")"
      LISTEN_ADDRESS: 0.0.0.0
      PRIMARY_HOST: postgres-shard-$n
      PRIMARY_PORT: "$(shard_port "$n")"
      REPLICATION_USER: replicator
      REPLICATION_PASSWORD: \${REPLICATION_PASSWORD:?}
      REPLICA_NAME: postgres-shard-$n-replica-$r
    volumes: ["postgres-shard-$n-replica-$r:/var/lib/postgresql/data"]
    depends_on:
      postgres-shard-$n: { condition: service_healthy }
YAML
  done
done

cat <<YAML

  redis:
    <<: *container
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/redis:7
    environment:
      REDIS_PORT: "17379"
      REDIS_PASSWORD: \${REDIS_PASSWORD:?}
    volumes: ["redis:/data"]

  rabbitmq:
    <<: *container
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/rabbitmq:3.10
    environment:
      RMQ_PORT: "17672"
      RMQ_EPMD_PORT: "17369"
      RMQ_DIST_PORT: "17673"
      RABBITMQ_USER: clinicbooking
      RABBITMQ_PASSWORD: \${RABBITMQ_PASSWORD:?}
    volumes: ["rabbitmq:/var/lib/rabbitmq/data"]

  identityservice:
    <<: *container
$(hosts postgres-global redis rabbitmq customerservice gateway)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/identityservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: identityservice
      ASPNETCORE_HTTP_PORTS: "17081"
      ConnectionStrings__identitydb: "Host=postgres-global;Port=17432;Username=identity_owner;Password=\${IDENTITY_DB_PASSWORD:?};Database=identity"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      Identity__Administrator__Email: admin@clinicbooking.local
      Identity__Administrator__Password: \${ADMIN_PASSWORD:?}
      Identity__MachineClients__clinicbooking-ops: \${OPS_CLIENT_SECRET:?}
      Identity__KeyEncryptionKey: \${KEY_ENCRYPTION_KEY:?}
      Identity__PasswordGrant: "\${PASSWORD_GRANT:-true}"
      Identity__Issuer: \${PUBLIC_URL:-http://localhost:5080}
      Identity__WebRedirectUris__0: \${PUBLIC_URL:-http://localhost:5080}/scalar
      Identity__WebRedirectUris__1: \${PUBLIC_URL:-http://localhost:5080}/scalar/
      Identity__WebRedirectUris__2: \${WEBAPP_URL:-http://localhost:5090}/signin-oidc
      Identity__WebPostLogoutRedirectUris__0: \${WEBAPP_URL:-http://localhost:5090}/signout-callback-oidc
      Identity__WebApp: \${WEBAPP_URL:-http://localhost:5090}
      services__customerservice__http__0: http://customerservice:17082
      services__gateway__http__0: http://gateway:5080
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/IdentityService.dll", "--health-probe"] }
    depends_on:
      postgres-global: { condition: service_healthy }
      redis: { condition: service_healthy }

  customerservice:
    <<: *container
$(hosts postgres-global redis rabbitmq identityservice)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/customerservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: customerservice
      ASPNETCORE_HTTP_PORTS: "17082"
      ConnectionStrings__customersdb: "Host=postgres-global;Port=17432;Username=customers_owner;Password=\${CUSTOMERS_DB_PASSWORD:?};Database=customers"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      Identity__Url: http://identityservice:17081
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/CustomerService.dll", "--health-probe"] }
    # Not on RabbitMQ: a service starts, and keeps its outbox, while the broker is down.
    depends_on:
      postgres-global: { condition: service_healthy }
      redis: { condition: service_healthy }

  notificationservice:
    <<: *container
$(hosts postgres-global redis rabbitmq identityservice gateway)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/notificationservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: notificationservice
      ASPNETCORE_HTTP_PORTS: "17083"
      ConnectionStrings__notificationsdb: "Host=postgres-global;Port=17432;Username=notifications_owner;Password=\${NOTIFICATIONS_DB_PASSWORD:?};Database=notifications"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      ConnectionStrings__mail: \${MAIL_URL:-smtp://127.0.0.1:2525}
      Identity__Url: http://identityservice:17081
      services__gateway__http__0: http://gateway:5080
      Sms__Provider: \${SMS_PROVIDER:-Fake}
      Sms__DefaultRegion: \${SMS_DEFAULT_REGION:-GB}
      Sms__Twilio__AccountSid: \${TWILIO_ACCOUNT_SID:-}
      Sms__Twilio__AuthToken: \${TWILIO_AUTH_TOKEN:-}
      Sms__Twilio__From: \${TWILIO_FROM:-}
      Notifications__Links__WebApp: \${WEBAPP_URL:-http://localhost:5090}
      Notifications__Links__Gateway: \${PUBLIC_URL:-http://localhost:5080}
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/NotificationService.dll", "--health-probe"] }
    # Not on the gateway or RabbitMQ: mail waits in its database until they answer.
    depends_on:
      postgres-global: { condition: service_healthy }
      redis: { condition: service_healthy }

  consultationservice:
    <<: *container
$(hosts postgres-global redis rabbitmq identityservice)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/consultationservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: consultationservice
      ASPNETCORE_HTTP_PORTS: "17084"
      ConnectionStrings__consultationsdb: "Host=postgres-global;Port=17432;Username=consultations_owner;Password=\${CONSULTATIONS_DB_PASSWORD:?};Database=consultations"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      Identity__Url: http://identityservice:17081
      Video__Provider: \${VIDEO_PROVIDER:-Local}
      Video__SigningKey: \${VIDEO_SIGNING_KEY:?}
      Video__LocalBaseUrl: \${PUBLIC_URL:-http://localhost:5080}
      Video__Jitsi__Domain: \${JITSI_DOMAIN:-}
      Video__Jitsi__AppId: \${JITSI_APP_ID:-}
      Video__Jitsi__AppSecret: \${JITSI_APP_SECRET:-}
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/ConsultationService.dll", "--health-probe"] }
    # Not on RabbitMQ or the video service: meetings wait in its database until they answer.
    depends_on:
      postgres-global: { condition: service_healthy }
      redis: { condition: service_healthy }

  paymentservice:
    <<: *container
$(hosts postgres-global redis rabbitmq identityservice paymentservice)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/paymentservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: paymentservice
      ASPNETCORE_HTTP_PORTS: "17085"
      ConnectionStrings__paymentsdb: "Host=postgres-global;Port=17432;Username=payments_owner;Password=\${PAYMENTS_DB_PASSWORD:?};Database=payments"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      Identity__Url: http://identityservice:17081
      Payments__Provider: \${PAYMENTS_PROVIDER:-Local}
      Payments__SecretKey: \${PAYMENTS_SECRET_KEY:?}
      Payments__WebhookSecret: \${PAYMENTS_WEBHOOK_SECRET:?}
      # The local provider's API is this service's own address (unused with Stripe).
      Payments__LocalApiBase: http://paymentservice:17085/local-pay
      Payments__LocalBaseUrl: \${PUBLIC_URL:-http://localhost:5080}
      Payments__ReturnUrl: \${WEBAPP_URL:-http://localhost:5090}
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/PaymentService.dll", "--health-probe"] }
    # Not on RabbitMQ: bookings are billed from its queue once it answers.
    depends_on:
      postgres-global: { condition: service_healthy }
      redis: { condition: service_healthy }
YAML

for n in $shards; do cat <<YAML

  clinicservice-$n:
    <<: *container
$(hosts "postgres-shard-$n" $(for r in $replica_numbers; do echo "postgres-shard-$n-replica-$r"; done) redis rabbitmq identityservice)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/clinicservice:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: clinicservice-$n
      ASPNETCORE_HTTP_PORTS: "$(cell_port "$n")"
      Cell__Name: clinicservice-$n
      Cell__Shards__0: "$n"
      ConnectionStrings__shard-$n: "Host=postgres-shard-$n;Port=$(shard_port "$n");Username=clinics_owner;Password=\${SHARD_DB_PASSWORD:?};Database=clinics"
$(for r in $replica_numbers; do
  echo "      ConnectionStrings__shard-$n-replica-$r: \"Host=postgres-shard-$n-replica-$r;Port=$(replica_port "$n" "$r");Username=clinics_owner;Password=\${SHARD_DB_PASSWORD:?};Database=clinics\""
done)
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      ConnectionStrings__rabbitmq: "amqp://clinicbooking:\${RABBITMQ_PASSWORD:?}@rabbitmq:17672"
      Identity__Url: http://identityservice:17081
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/ClinicService.dll", "--health-probe"] }
    depends_on:
      postgres-shard-$n: { condition: service_healthy }
      redis: { condition: service_healthy }
YAML
done

cat <<YAML

  gateway:
    <<: *container
$(hosts redis identityservice customerservice notificationservice consultationservice paymentservice $(for n in $shards; do echo "clinicservice-$n"; done))
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/gateway:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: gateway
      ASPNETCORE_HTTP_PORTS: "5080"
      ConnectionStrings__redis: "redis:17379,password=\${REDIS_PASSWORD:?}"
      Identity__Url: http://identityservice:17081
      RateLimits__ForwarderKey: \${WEBAPP_FORWARDER_KEY:?}
      services__identityservice__http__0: http://identityservice:17081
      services__customerservice__http__0: http://customerservice:17082
      services__notificationservice__http__0: http://notificationservice:17083
      services__consultationservice__http__0: http://consultationservice:17084
      services__paymentservice__http__0: http://paymentservice:17085
$(for n in $shards; do
  echo "      services__clinicservice-${n}__http__0: http://clinicservice-$n:$(cell_port "$n")"
  echo "      ClinicShards__Owners__$n: clinicservice-$n"
done)
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/Gateway.dll", "--health-probe"] }
    depends_on:
      identityservice: { condition: service_healthy }
      customerservice: { condition: service_healthy }
      notificationservice: { condition: service_healthy }
      consultationservice: { condition: service_healthy }
      paymentservice: { condition: service_healthy }
$(for n in $shards; do echo "      clinicservice-$n: { condition: service_healthy }"; done)

  webapp:
    <<: *container
$(hosts gateway)
    image: \${REGISTRY:-127.0.0.1:5000}/clinicbooking/webapp:\${TAG:-latest}
    environment:
      <<: *telemetry
      OTEL_SERVICE_NAME: webapp
      ASPNETCORE_HTTP_PORTS: "5090"
      services__gateway__http__0: http://gateway:5080
      Identity__Authority: \${PUBLIC_URL:-http://localhost:5080}
      Gateway__ForwarderKey: \${WEBAPP_FORWARDER_KEY:?}
    healthcheck: { <<: *probe, test: ["CMD", "dotnet", "/app/WebApp.dll", "--health-probe"] }
    depends_on:
      gateway: { condition: service_healthy }

volumes:
  postgres-global:
$(for r in $global_replica_numbers; do echo "  postgres-global-replica-$r:"; done)
$(for n in $shards; do echo "  postgres-shard-$n:"; for r in $replica_numbers; do echo "  postgres-shard-$n-replica-$r:"; done; done)
  redis:
  rabbitmq:
YAML
