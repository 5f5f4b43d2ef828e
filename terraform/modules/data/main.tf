locals {
  # The one list of tables the app uses (see libs/aws). Every table is on-demand, has PITR, SSE and a TTL on expiresAt.
  # Attribute types: S = string, N = number.
  tables = {
    checks = {
      hash_key  = { name = "serviceId", type = "S" }
      range_key = { name = "at", type = "N" }
      gsis      = {}
    }
    state = {
      hash_key  = { name = "serviceId", type = "S" }
      range_key = { name = "key", type = "S" }
      gsis      = {}
    }
    services = {
      hash_key  = { name = "id", type = "S" }
      range_key = null
      gsis      = {}
    }
    incidents = {
      hash_key  = { name = "pk", type = "S" }
      range_key = { name = "sk", type = "S" }
      gsis = {
        gsi1 = {
          hash_key  = { name = "gsi1pk", type = "S" }
          range_key = { name = "gsi1sk", type = "S" }
        }
      }
    }
    outbox = {
      hash_key  = { name = "id", type = "S" }
      range_key = null
      gsis = {
        pending = {
          hash_key  = { name = "pendingKey", type = "S" }
          range_key = { name = "dueAt", type = "N" }
        }
      }
    }
    audit = {
      hash_key  = { name = "pk", type = "S" }
      range_key = { name = "sk", type = "S" }
      gsis      = {}
    }
    # Replicas: membership, shard leases, the fencing-epoch counter and the change feed (see libs/aws/README.md).
    coord = {
      hash_key  = { name = "pk", type = "S" }
      range_key = { name = "sk", type = "S" }
      gsis      = {}
    }
  }

  ttl_attribute = "expiresAt"

  # Every key attribute of a table and its GSIs, deduplicated by name (DynamoDB rejects duplicates).
  table_attributes = {
    for name, table in local.tables : name => {
      for key in concat(
        [table.hash_key],
        table.range_key == null ? [] : [table.range_key],
        flatten([for gsi in values(table.gsis) : concat([gsi.hash_key], gsi.range_key == null ? [] : [gsi.range_key])]),
      ) : key.name => key.type...
    }
  }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = "${var.table_prefix}${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key.name
  range_key                   = each.value.range_key == null ? null : each.value.range_key.name
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.table_attributes[each.key]
    content {
      name = attribute.key
      type = attribute.value[0]
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.gsis
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key.name
      range_key       = global_secondary_index.value.range_key == null ? null : global_secondary_index.value.range_key.name
      projection_type = "ALL"
    }
  }

  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # AWS owned keys cost nothing; set kms_key_arn here to use a customer managed key instead.
  server_side_encryption {
    enabled = true
  }

  tags = merge(var.tags, { Name = "${var.table_prefix}${each.key}" })
}
