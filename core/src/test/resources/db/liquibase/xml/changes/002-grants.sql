--liquibase formatted sql

--changeset crm-team:002-grants
GRANT SELECT, INSERT, UPDATE, DELETE ON customers TO ${app_role};
