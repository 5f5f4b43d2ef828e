output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (one per AZ), for the ALB and the instance."
  value       = aws_subnet.public[*].id
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "instance_security_group_id" {
  description = "Security group of the app instance."
  value       = aws_security_group.instance.id
}
