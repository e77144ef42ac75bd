-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "businesses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"city" text NOT NULL,
	"description" text,
	"address" text,
	"phone" text,
	"email" text,
	"website" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "businesses_name_id_idx" ON "businesses" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "businesses_category_name_id_idx" ON "businesses" USING btree (lower("category"),"name","id");--> statement-breakpoint
CREATE INDEX "businesses_city_name_id_idx" ON "businesses" USING btree (lower("city"),"name","id");--> statement-breakpoint
CREATE INDEX "businesses_search_trgm_idx" ON "businesses" USING gin ((lower("name" || ' ' || coalesce("description", ''))) gin_trgm_ops);