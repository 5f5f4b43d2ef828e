# Plans and applies the whole prod composition against mocked providers: no AWS account or credentials needed.
# Run in CI (terraform:validate) after `terraform init -backend=false`: terraform test
mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-central-1:123456789012:t" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/x" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/x" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/x" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/x" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/x/1" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/x/1" }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/x/1/2" }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = { arn = "arn:aws:cloudfront::123456789012:distribution/E1" }
  }
  mock_resource "aws_cloudfront_function" {
    defaults = { arn = "arn:aws:cloudfront::123456789012:function/f" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::x" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn                       = "arn:aws:acm:eu-central-1:123456789012:certificate/x"
      domain_validation_options = [{ domain_name = "origin.status.example.com", resource_record_name = "_x.origin.status.example.com", resource_record_type = "CNAME", resource_record_value = "_y.acm-validations.aws" }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = { certificate_arn = "arn:aws:acm:eu-central-1:123456789012:certificate/x" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-central-1a", "eu-central-1b", "eu-central-1c"] }
  }
  mock_data "aws_route53_zone" {
    defaults = { zone_id = "Z123456" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ami" {
    defaults = { id = "ami-12345678" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-central-1" }
  }
  mock_data "aws_ec2_managed_prefix_list" {
    defaults = { id = "pl-12345" }
  }
}

mock_provider "random" {}

mock_provider "tls" {
  mock_data "tls_certificate" {
    defaults = { certificates = [{ sha1_fingerprint = "0000000000000000000000000000000000000000" }] }
  }
}

mock_provider "aws" {
  alias = "us_east_1"
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn                       = "arn:aws:acm:us-east-1:123456789012:certificate/x"
      domain_validation_options = [{ domain_name = "status.example.com", resource_record_name = "_x.status.example.com", resource_record_type = "CNAME", resource_record_value = "_y.acm-validations.aws" }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = { certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/x" }
  }
}

variables {
  domain_name         = "status.example.com"
  route53_zone_name   = "example.com"
  gitlab_project_path = "acme/status-page"
}

run "plan" {
  command = plan
}

run "apply" {
  command = apply

  assert {
    condition     = length(module.data.table_names) == 6
    error_message = "Expected the six app tables."
  }

  assert {
    condition     = output.ansible_extra_vars.app_ssm_parameter_path == "/statuspage/prod/"
    error_message = "The SSM parameter path must be /<project>/<environment>/."
  }

  assert {
    condition     = output.public_url == "https://status.example.com"
    error_message = "public_url must be https://<domain_name>."
  }

  assert {
    condition     = module.compute.origin_domain_name == "origin.status.example.com"
    error_message = "CloudFront must reach the ALB at origin.<domain_name>."
  }
}

run "rejects_an_invalid_domain" {
  command = plan

  variables {
    domain_name = "Not A Domain"
  }

  expect_failures = [var.domain_name]
}
