output "table_prefix" {
  description = "Table name prefix, for the app's DYNAMODB_TABLE_PREFIX."
  value       = var.table_prefix
}

output "table_names" {
  description = "Map of logical table name to DynamoDB table name."
  value       = { for name, table in aws_dynamodb_table.this : name => table.name }
}

output "table_arns" {
  description = "Map of logical table name to table ARN."
  value       = { for name, table in aws_dynamodb_table.this : name => table.arn }
}

output "index_arns" {
  description = "ARNs of every global secondary index, for IAM policies (Query on an index needs the index ARN)."
  value       = flatten([for name, table in local.tables : [for gsi in keys(table.gsis) : "${aws_dynamodb_table.this[name].arn}/index/${gsi}"]])
}
