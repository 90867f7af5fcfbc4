# The postgres image sources this on its first start (empty data directory) only. psql variables
# quote the passwords. Role temporal creates its two databases itself (the temporal-schema job's
# create-database), as in the native stack.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set app_password="$APP_DB_PASSWORD" --set temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE service_centre LOGIN PASSWORD :'app_password';
CREATE DATABASE service_centre OWNER service_centre;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
