# Plans and applies the prod composition, and each module on its own, against mocked AWS providers: no account,
# no credentials, no network. `npm test` runs it (test/infra/terraform-cli.spec.ts), as does CI's terraform:validate.
#
# Assertions can only see the configuration under test (its resources, data sources and outputs), never resources
# inside a child module; so the composition runs check the wiring through outputs and the origin secret, and the
# module runs (`module { source = ... }`) check the planned values inside each module. The mocked
# aws_iam_policy_document returns a fixed JSON, so policy assertions read the documents' statements, which are
# exactly what the provider renders into JSON. Table names, keys and the TTL attribute are compared with the app's
# own definitions (libs/aws) by test/infra/terraform-cli.spec.ts.

mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/statuspage-prod/app" }
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
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }
  mock_resource "aws_autoscaling_group" {
    defaults = { arn = "arn:aws:autoscaling:eu-central-1:123456789012:autoScalingGroup:x:autoScalingGroupName/statuspage-prod" }
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
  # Without this the mock would invent rules for these optional+computed sets.
  mock_resource "aws_default_security_group" {
    defaults = { ingress = [], egress = [] }
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
  mock_data "aws_secretsmanager_random_password" {
    defaults = { random_password = "MockedSecretFromGetRandomPassword0000000000000000" }
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

################################################################################
# The composition (envs/prod)
################################################################################

run "plan" {
  command = plan

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
  }
}

run "apply" {
  command = apply

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
  }

  override_data {
    target = data.aws_secretsmanager_random_password.origin_verify
    values = { random_password = "FirstSecretGeneratedByAws000000000000000000000000" }
  }

  override_resource {
    target = module.alerts.aws_sns_topic.subscribers
    values = { arn = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers" }
  }

  assert {
    condition     = output.ansible_extra_vars.app_subscribers_topic_arn == "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers"
    error_message = "The app must subscribe visitors on (and publish notices to) the alerts module's subscribers topic."
  }

  assert {
    condition     = length(module.data.table_names) == 7
    error_message = "Expected the seven app tables."
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
    condition     = output.instance_id != null && output.autoscaling_group_name == null && output.releases_bucket == null
    error_message = "By default prod runs the one t2.small instance, no Auto Scaling group."
  }

  assert {
    condition     = module.compute.origin_domain_name == "origin.status.example.com"
    error_message = "CloudFront must reach the ALB at origin.<domain_name>."
  }

  assert {
    condition     = output.ansible_extra_vars.app_dynamodb_table_prefix == "statuspage-" && output.dynamodb_table_names.checks == "statuspage-checks"
    error_message = "Tables must be named <dynamodb_table_prefix><table>, and Ansible must hand the same prefix to the app."
  }

  assert {
    condition     = output.ansible_extra_vars.app_sns_topic_arn == "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    error_message = "The app must publish to the alerts module's topic."
  }

  assert {
    condition     = nonsensitive(local.origin_verify_secret) == "FirstSecretGeneratedByAws000000000000000000000000"
    error_message = "The origin secret must be the value AWS generated."
  }

  assert {
    condition     = issensitive(local.origin_verify_secret)
    error_message = "The origin secret must stay sensitive, or plans in CI job logs would print it."
  }
}

# GetRandomPassword answers something new on every plan; the secret in use must not follow it.
run "replan_keeps_the_origin_secret" {
  command = plan

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
  }

  override_data {
    target = data.aws_secretsmanager_random_password.origin_verify
    values = { random_password = "SecondAnswerOfGetRandomPassword000000000000000000" }
  }

  assert {
    condition     = nonsensitive(local.origin_verify_secret) == "FirstSecretGeneratedByAws000000000000000000000000"
    error_message = "A new plan changed the origin secret: CloudFront and the ALB rule would churn on every apply."
  }
}

run "rotating_replaces_the_origin_secret" {
  command = apply

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
  }

  plan_options {
    replace = [terraform_data.origin_verify]
  }

  override_data {
    target = data.aws_secretsmanager_random_password.origin_verify
    values = { random_password = "RotatedSecretGeneratedByAws00000000000000000000000" }
  }

  assert {
    condition     = nonsensitive(local.origin_verify_secret) == "RotatedSecretGeneratedByAws00000000000000000000000"
    error_message = "terraform apply -replace=terraform_data.origin_verify must take the new value."
  }
}

run "three_replicas" {
  command = apply

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
    replicas            = 3
    release_version     = "abc1234"
  }

  assert {
    condition     = output.autoscaling_group_name == "statuspage-prod" && output.instance_id == null && output.releases_bucket == "statuspage-prod-releases-123456789012"
    error_message = "replicas = 3 must run the Auto Scaling group (and no stand-alone instance), with its releases bucket."
  }

  assert {
    condition     = local.replica_bootstrap_vars.app_dynamodb_table_prefix == "statuspage-" && local.replica_bootstrap_vars.app_sns_topic_arn == "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts" && local.replica_bootstrap_vars.app_public_base_url == "https://status.example.com"
    error_message = "A new replica must be configured like the pipeline configures a host (table prefix, topic, public URL)."
  }
}

run "rejects_more_than_five_replicas" {
  command = plan

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
    replicas            = 6
  }

  expect_failures = [var.replicas]
}

# Variable validations reject bad input before anything is planned (and these runs prove they can fail).
run "rejects_an_invalid_domain" {
  command = plan

  variables {
    domain_name         = "Not A Domain"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
  }

  expect_failures = [var.domain_name]
}

run "rejects_a_wildcard_deploy_branch" {
  command = plan

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
    gitlab_branch       = "release/*"
  }

  expect_failures = [var.gitlab_branch]
}

run "rejects_a_graviton_instance_type" {
  command = plan

  variables {
    domain_name         = "status.example.com"
    route53_zone_name   = "example.com"
    gitlab_project_path = "acme/status-page"
    instance_type       = "t4g.small"
  }

  expect_failures = [var.instance_type]
}

################################################################################
# network: no SSH, instance only from the ALB on the app port, ALB only 443 from CloudFront
################################################################################

run "network" {
  command = apply

  module {
    source = "../../modules/network"
  }

  variables {
    name     = "statuspage-prod"
    app_port = 3000
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.instance_from_alb.security_group_id == aws_security_group.instance.id &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.referenced_security_group_id == aws_security_group.alb.id &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.from_port == 3000 &&
      aws_vpc_security_group_ingress_rule.instance_from_alb.to_port == 3000
    )
    error_message = "The instance must accept TCP on the app port only, from the ALB security group only."
  }

  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.alb_https_internet) == 0 &&
      length(aws_vpc_security_group_ingress_rule.alb_https_cloudfront) == 1 &&
      aws_vpc_security_group_ingress_rule.alb_https_cloudfront[0].security_group_id == aws_security_group.alb.id &&
      aws_vpc_security_group_ingress_rule.alb_https_cloudfront[0].prefix_list_id == "pl-12345" &&
      aws_vpc_security_group_ingress_rule.alb_https_cloudfront[0].cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.alb_https_cloudfront[0].from_port == 443 &&
      aws_vpc_security_group_ingress_rule.alb_https_cloudfront[0].to_port == 443
    )
    error_message = "The ALB must accept 443 only, and only from the CloudFront origin-facing prefix list."
  }

  assert {
    condition = alltrue([
      for rule in concat(
        [aws_vpc_security_group_ingress_rule.instance_from_alb],
        aws_vpc_security_group_ingress_rule.alb_https_cloudfront,
        aws_vpc_security_group_ingress_rule.alb_https_internet,
      ) : rule.ip_protocol != "-1" && !(rule.from_port <= 22 && rule.to_port >= 22)
    ])
    error_message = "No ingress rule may open port 22 or every port."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group must stay empty."
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.alb_to_instance.referenced_security_group_id == aws_security_group.instance.id &&
      aws_vpc_security_group_egress_rule.alb_to_instance.from_port == 3000 &&
      aws_vpc_security_group_egress_rule.alb_to_instance.to_port == 3000
    )
    error_message = "The ALB may only reach the instance security group on the app port."
  }

  assert {
    condition     = length(aws_subnet.public) == 2 && aws_subnet.public[0].availability_zone != aws_subnet.public[1].availability_zone
    error_message = "The ALB needs two subnets in two availability zones."
  }
}

run "network_without_the_cloudfront_prefix_list" {
  command = apply

  module {
    source = "../../modules/network"
  }

  variables {
    name                             = "statuspage-prod"
    alb_ingress_from_cloudfront_only = false
  }

  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.alb_https_cloudfront) == 0 &&
      aws_vpc_security_group_ingress_rule.alb_https_internet[0].cidr_ipv4 == "0.0.0.0/0" &&
      aws_vpc_security_group_ingress_rule.alb_https_internet[0].from_port == 443 &&
      aws_vpc_security_group_ingress_rule.alb_https_internet[0].to_port == 443
    )
    error_message = "Opening the ALB to the internet must still be 443 only."
  }
}

################################################################################
# compute: t2.small, encrypted gp3, IMDSv2, least-privilege instance role, origin header on the listener
################################################################################

run "compute" {
  command = apply

  module {
    source = "../../modules/compute"
  }

  variables {
    name                       = "statuspage-prod"
    vpc_id                     = "vpc-1"
    subnet_ids                 = ["subnet-a", "subnet-b"]
    alb_security_group_id      = "sg-alb"
    instance_security_group_id = "sg-instance"
    zone_id                    = "Z123456"
    origin_domain_name         = "origin.status.example.com"
    origin_verify_secret       = "OriginSecret"
    dynamodb_table_arns        = ["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-checks", "arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-outbox"]
    dynamodb_index_arns        = ["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-outbox/index/pending"]
    sns_topic_arn              = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    subscribers_topic_arn      = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers"
    ssm_parameter_path         = "/statuspage/prod/"
    log_group_arn              = "arn:aws:logs:eu-central-1:123456789012:log-group:/statuspage-prod/app"
  }

  assert {
    condition     = aws_instance.this[0].instance_type == "t2.small"
    error_message = "The default instance type must be t2.small."
  }

  assert {
    condition = (
      length(aws_instance.this) == 1 && length(aws_lb_target_group_attachment.this) == 1 &&
      aws_lb_target_group_attachment.this[0].target_id == aws_instance.this[0].id &&
      length(aws_autoscaling_group.this) == 0 && length(aws_launch_template.this) == 0 && length(aws_s3_bucket.releases) == 0
    )
    error_message = "Without autoscaling the module must run exactly one instance behind the target group, and no Auto Scaling group."
  }

  assert {
    condition = (
      aws_instance.this[0].root_block_device[0].volume_type == "gp3" &&
      aws_instance.this[0].root_block_device[0].encrypted == true &&
      aws_instance.this[0].root_block_device[0].volume_size == 30
    )
    error_message = "The root volume must be an encrypted 30 GiB gp3 volume."
  }

  assert {
    condition = (
      aws_instance.this[0].metadata_options[0].http_tokens == "required" &&
      aws_instance.this[0].metadata_options[0].http_put_response_hop_limit == 1 &&
      aws_instance.this[0].metadata_options[0].http_endpoint == "enabled"
    )
    error_message = "IMDSv2 must be required, with a hop limit of 1."
  }

  assert {
    condition     = aws_instance.this[0].vpc_security_group_ids == toset(["sg-instance"]) && aws_instance.this[0].iam_instance_profile == aws_iam_instance_profile.this.name
    error_message = "The instance must carry only the instance security group and the instance profile."
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.assume.statement) == 1 &&
      data.aws_iam_policy_document.assume.statement[0].actions == toset(["sts:AssumeRole"]) &&
      [for principal in data.aws_iam_policy_document.assume.statement[0].principals : principal.identifiers] == [toset(["ec2.amazonaws.com"])]
    )
    error_message = "Only EC2 may assume the instance role."
  }

  assert {
    condition = (
      [for statement in data.aws_iam_policy_document.app.statement : statement.sid] ==
      ["DynamoDbDataPlane", "DynamoDbIndexQueries", "PublishAlerts", "ReadAppParameters", "ShipAppLogs", "VisitorSubscriptions"]
    )
    error_message = "The instance policy must hold exactly the DynamoDB, SNS, SSM, logs and visitor subscription statements."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.app.statement[5].actions == toset(["sns:Publish", "sns:Subscribe"]) &&
      data.aws_iam_policy_document.app.statement[5].resources == toset(["arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers"]) &&
      alltrue([
        for statement in data.aws_iam_policy_document.app.statement :
        !contains(statement.actions, "sns:Subscribe") || statement.resources == toset(["arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers"])
      ])
    )
    error_message = "sns:Subscribe (and the visitor notices' sns:Publish) must be granted on the subscribers topic only."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.app.statement :
      (statement.effect == null || statement.effect == "Allow") &&
      statement.not_actions == null && statement.not_resources == null &&
      !anytrue([for action in statement.actions : strcontains(action, "*")]) &&
      !anytrue([for resource in statement.resources : resource == "*"])
    ])
    error_message = "Every instance policy statement must name its actions and resources: no wildcards, no not_*."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.app.statement[0].resources == toset(["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-checks", "arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-outbox"]) &&
      alltrue([for action in data.aws_iam_policy_document.app.statement[0].actions : startswith(action, "dynamodb:")]) &&
      !contains(data.aws_iam_policy_document.app.statement[0].actions, "dynamodb:DeleteTable") &&
      data.aws_iam_policy_document.app.statement[1].resources == toset(["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-outbox/index/pending"]) &&
      data.aws_iam_policy_document.app.statement[1].actions == toset(["dynamodb:Query", "dynamodb:Scan"])
    )
    error_message = "DynamoDB data-plane actions must be granted on the app's tables and their indexes only."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.app.statement[2].actions == toset(["sns:Publish"]) &&
      data.aws_iam_policy_document.app.statement[2].resources == toset(["arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"])
    )
    error_message = "sns:Publish must be granted on the alert topic only."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.app.statement[3].actions == toset(["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]) &&
      data.aws_iam_policy_document.app.statement[3].resources == toset([
        "arn:aws:ssm:eu-central-1:123456789012:parameter/statuspage/prod",
        "arn:aws:ssm:eu-central-1:123456789012:parameter/statuspage/prod/*",
      ])
    )
    error_message = "SSM reads must be limited to the /statuspage/prod/ parameter path."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.app.statement[4].resources == toset([
        "arn:aws:logs:eu-central-1:123456789012:log-group:/statuspage-prod/app",
        "arn:aws:logs:eu-central-1:123456789012:log-group:/statuspage-prod/app:*",
      ])
    )
    error_message = "Log writes must be limited to the app's log group."
  }

  assert {
    condition     = [for attachment in [aws_iam_role_policy_attachment.ssm_core] : attachment.policy_arn] == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    error_message = "The only managed policy must be AmazonSSMManagedInstanceCore (Session Manager instead of SSH)."
  }

  assert {
    condition = (
      aws_lb_listener.this.protocol == "HTTPS" && aws_lb_listener.this.port == 443 &&
      aws_lb_listener.this.default_action[0].type == "fixed-response" &&
      aws_lb_listener.this.default_action[0].fixed_response[0].status_code == "403"
    )
    error_message = "The listener must be HTTPS on 443 and answer 403 to anything without the origin header."
  }

  assert {
    condition = (
      [for condition in aws_lb_listener_rule.this.condition : [for header in condition.http_header : { name = header.http_header_name, values = header.values }]] ==
      [[{ name = "X-Origin-Verify", values = toset(["OriginSecret"]) }]] &&
      aws_lb_listener_rule.this.action[0].type == "forward" &&
      aws_lb_listener_rule.this.action[0].target_group_arn == aws_lb_target_group.this.arn
    )
    error_message = "Only requests carrying X-Origin-Verify: <secret> may be forwarded to the app."
  }

  assert {
    condition     = aws_lb_target_group.this.port == 3000 && aws_lb_target_group.this.health_check[0].path == "/api/health"
    error_message = "The target group must send traffic to the app port and health-check /api/health."
  }
}

################################################################################
# compute with replicas: an Auto Scaling group over two AZs behind the target group, rolled by instance refresh
################################################################################

run "compute_autoscaling" {
  command = apply

  module {
    source = "../../modules/compute"
  }

  variables {
    name                       = "statuspage-prod"
    vpc_id                     = "vpc-1"
    subnet_ids                 = ["subnet-a", "subnet-b"]
    alb_security_group_id      = "sg-alb"
    instance_security_group_id = "sg-instance"
    zone_id                    = "Z123456"
    origin_domain_name         = "origin.status.example.com"
    origin_verify_secret       = "OriginSecret"
    dynamodb_table_arns        = ["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-coord"]
    dynamodb_index_arns        = []
    sns_topic_arn              = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    ssm_parameter_path         = "/statuspage/prod/"
    autoscaling = {
      min_size           = 3
      max_size           = 4
      desired_capacity   = 3
      release_version    = "abc1234"
      ansible_extra_vars = { app_dynamodb_table_prefix = "statuspage-" }
    }
  }

  assert {
    condition     = length(aws_instance.this) == 0 && length(aws_lb_target_group_attachment.this) == 0
    error_message = "With autoscaling there is no stand-alone instance; the group registers its instances itself."
  }

  assert {
    condition = (
      aws_autoscaling_group.this[0].min_size == 3 && aws_autoscaling_group.this[0].max_size == 4 &&
      aws_autoscaling_group.this[0].desired_capacity == 3 &&
      aws_autoscaling_group.this[0].vpc_zone_identifier == toset(["subnet-a", "subnet-b"])
    )
    error_message = "The group must hold min/max/desired replicas over both subnets (two AZs)."
  }

  assert {
    condition = (
      aws_autoscaling_group.this[0].target_group_arns == toset([aws_lb_target_group.this.arn]) &&
      aws_autoscaling_group.this[0].health_check_type == "ELB" &&
      aws_autoscaling_group.this[0].health_check_grace_period == 600
    )
    error_message = "Replicas must sit behind the ALB target group and be replaced when they fail its /api/health check (after a grace period)."
  }

  assert {
    condition = (
      aws_autoscaling_group.this[0].instance_refresh[0].strategy == "Rolling" &&
      aws_autoscaling_group.this[0].instance_refresh[0].preferences[0].min_healthy_percentage == 66 &&
      aws_autoscaling_group.this[0].instance_refresh[0].preferences[0].auto_rollback == true &&
      aws_autoscaling_group.this[0].launch_template[0].id == aws_launch_template.this[0].id &&
      aws_autoscaling_group.this[0].launch_template[0].version == tostring(aws_launch_template.this[0].latest_version)
    )
    error_message = "A new launch template version must roll the group by instance refresh, two thirds kept healthy, rolled back on failure."
  }

  assert {
    condition = (
      aws_launch_template.this[0].instance_type == "t2.small" &&
      aws_launch_template.this[0].metadata_options[0].http_tokens == "required" &&
      aws_launch_template.this[0].metadata_options[0].http_put_response_hop_limit == 1 &&
      aws_launch_template.this[0].block_device_mappings[0].ebs[0].encrypted == "true" &&
      aws_launch_template.this[0].block_device_mappings[0].ebs[0].volume_type == "gp3" &&
      aws_launch_template.this[0].iam_instance_profile[0].name == aws_iam_instance_profile.this.name &&
      aws_launch_template.this[0].network_interfaces[0].security_groups == toset(["sg-instance"])
    )
    error_message = "Replicas must launch like the single instance: t2.small, IMDSv2 (hop limit 1), encrypted gp3, the instance profile and security group only."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this[0].user_data), "releases/abc1234/release.tar.gz") && strcontains(base64decode(aws_launch_template.this[0].user_data), "playbooks/site.yml")
    error_message = "The user data must install the configured release with the Ansible site playbook."
  }

  assert {
    condition = (
      [for statement in data.aws_iam_policy_document.app.statement : statement.sid] ==
      ["DynamoDbDataPlane", "DynamoDbIndexQueries", "PublishAlerts", "ReadAppParameters", "ReadReleases"] &&
      data.aws_iam_policy_document.app.statement[4].actions == toset(["s3:GetObject"]) &&
      data.aws_iam_policy_document.app.statement[4].resources == toset(["arn:aws:s3:::x/releases/*"])
    )
    error_message = "Replicas may additionally read releases from their bucket, nothing else."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.releases[0].block_public_acls && aws_s3_bucket_public_access_block.releases[0].block_public_policy &&
      aws_s3_bucket_public_access_block.releases[0].restrict_public_buckets && aws_s3_bucket_public_access_block.releases[0].ignore_public_acls
    )
    error_message = "The releases bucket must block every kind of public access."
  }
}

run "compute_rejects_an_inverted_group_size" {
  command = plan

  module {
    source = "../../modules/compute"
  }

  variables {
    name                       = "statuspage-prod"
    vpc_id                     = "vpc-1"
    subnet_ids                 = ["subnet-a", "subnet-b"]
    alb_security_group_id      = "sg-alb"
    instance_security_group_id = "sg-instance"
    zone_id                    = "Z123456"
    origin_domain_name         = "origin.status.example.com"
    origin_verify_secret       = "OriginSecret"
    dynamodb_table_arns        = []
    dynamodb_index_arns        = []
    sns_topic_arn              = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    ssm_parameter_path         = "/statuspage/prod/"
    autoscaling                = { min_size = 3, max_size = 2, desired_capacity = 3 }
  }

  expect_failures = [var.autoscaling]
}

run "compute_rejects_a_relative_parameter_path" {
  command = plan

  module {
    source = "../../modules/compute"
  }

  variables {
    name                       = "statuspage-prod"
    vpc_id                     = "vpc-1"
    subnet_ids                 = ["subnet-a", "subnet-b"]
    alb_security_group_id      = "sg-alb"
    instance_security_group_id = "sg-instance"
    zone_id                    = "Z123456"
    origin_domain_name         = "origin.status.example.com"
    origin_verify_secret       = "OriginSecret"
    dynamodb_table_arns        = []
    dynamodb_index_arns        = []
    sns_topic_arn              = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    ssm_parameter_path         = "statuspage"
  }

  expect_failures = [var.ssm_parameter_path]
}

################################################################################
# edge: S3 by default with OAC, /api/* to the ALB with the origin header, HTTPS for viewers
################################################################################

run "edge" {
  command = apply

  module {
    source = "../../modules/edge"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    name                   = "statuspage-prod"
    domain_name            = "status.example.com"
    zone_id                = "Z123456"
    api_origin_domain_name = "origin.status.example.com"
    origin_verify_secret   = "OriginSecret"
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this.default_cache_behavior[0].target_origin_id == "dashboard-s3" &&
      aws_cloudfront_distribution.this.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" &&
      aws_cloudfront_distribution.this.default_cache_behavior[0].allowed_methods == toset(["GET", "HEAD", "OPTIONS"])
    )
    error_message = "By default CloudFront must serve the dashboard bucket, read-only, redirecting HTTP to HTTPS."
  }

  assert {
    condition = {
      for association in aws_cloudfront_distribution.this.default_cache_behavior[0].function_association : association.event_type => association.function_arn
      } == {
      "viewer-request"  = aws_cloudfront_function.spa_rewrite.arn
      "viewer-response" = aws_cloudfront_function.spa_not_found.arn
    }
    error_message = "The S3 behaviour must pick index.html or 404.html on the request and set the 404 status on the response."
  }

  assert {
    condition = (
      alltrue([for behaviour in aws_cloudfront_distribution.this.ordered_cache_behavior : length(behaviour.function_association) == 0]) &&
      length(aws_cloudfront_distribution.this.custom_error_response) == 0
    )
    error_message = "No function and no custom_error_response may touch /api/*: the API's own 403s and 404s must reach viewers as JSON."
  }

  assert {
    condition = (
      aws_cloudfront_function.spa_rewrite.runtime == "cloudfront-js-2.0" && aws_cloudfront_function.spa_rewrite.publish &&
      aws_cloudfront_function.spa_not_found.runtime == "cloudfront-js-2.0" && aws_cloudfront_function.spa_not_found.publish &&
      strcontains(aws_cloudfront_function.spa_rewrite.code, "var NOT_FOUND_DOCUMENT = '/404.html';") &&
      strcontains(aws_cloudfront_function.spa_not_found.code, "var STATUS_HEADER = 'x-amz-meta-http-status';")
    )
    error_message = "Both SPA functions must be published cloudfront-js-2.0 code from modules/edge/functions (404.html, the http-status marker)."
  }

  assert {
    condition = alltrue([
      for origin in aws_cloudfront_distribution.this.origin : origin.origin_access_control_id == aws_cloudfront_origin_access_control.this.id && origin.domain_name == aws_s3_bucket.this.bucket_regional_domain_name && length(origin.s3_origin_config) == 0
      if origin.origin_id == "dashboard-s3"
    ]) && aws_cloudfront_origin_access_control.this.signing_behavior == "always"
    error_message = "The dashboard origin must be the private bucket, signed with Origin Access Control (no legacy OAI)."
  }

  assert {
    condition = [
      for origin in aws_cloudfront_distribution.this.origin : {
        domain   = origin.domain_name
        protocol = origin.custom_origin_config[0].origin_protocol_policy
        tls      = origin.custom_origin_config[0].origin_ssl_protocols
        headers  = [for header in origin.custom_header : { name = header.name, value = header.value }]
      } if origin.origin_id == "api-alb"
      ] == [{
        domain   = "origin.status.example.com"
        protocol = "https-only"
        tls      = toset(["TLSv1.2"])
        headers  = [{ name = "X-Origin-Verify", value = "OriginSecret" }]
    }]
    error_message = "The API origin must be the ALB over HTTPS (TLS 1.2) with the X-Origin-Verify header."
  }

  assert {
    condition     = [for behaviour in aws_cloudfront_distribution.this.ordered_cache_behavior : behaviour.path_pattern] == ["/api/admin/*", "/api/*"]
    error_message = "/api/admin/* must come before /api/*, and nothing else may be routed elsewhere."
  }

  assert {
    condition = alltrue([
      for behaviour in aws_cloudfront_distribution.this.ordered_cache_behavior :
      behaviour.target_origin_id == "api-alb" && behaviour.viewer_protocol_policy == "https-only"
    ])
    error_message = "Every /api behaviour must go to the ALB origin and refuse plain HTTP."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this.ordered_cache_behavior[0].cache_policy_id == data.aws_cloudfront_cache_policy.caching_disabled.id &&
      data.aws_cloudfront_cache_policy.caching_disabled.name == "Managed-CachingDisabled" &&
      aws_cloudfront_distribution.this.ordered_cache_behavior[0].origin_request_policy_id == data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id &&
      data.aws_cloudfront_origin_request_policy.all_viewer_except_host.name == "Managed-AllViewerExceptHostHeader"
    )
    error_message = "/api/admin/* must never be cached and must forward Authorization (all viewer headers except Host)."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this.ordered_cache_behavior[1].cache_policy_id == aws_cloudfront_cache_policy.api.id &&
      aws_cloudfront_cache_policy.api.default_ttl == 0 && aws_cloudfront_cache_policy.api.min_ttl == 0 &&
      aws_cloudfront_distribution.this.ordered_cache_behavior[1].origin_request_policy_id == aws_cloudfront_origin_request_policy.api_public.id &&
      !contains([for header in aws_cloudfront_origin_request_policy.api_public.headers_config[0].headers[0].items : lower(header)], "authorization") &&
      aws_cloudfront_origin_request_policy.api_public.cookies_config[0].cookie_behavior == "none"
    )
    error_message = "/api/* may be cached only as the origin's Cache-Control says, and must not forward credentials."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this.viewer_certificate[0].acm_certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/x" &&
      aws_cloudfront_distribution.this.viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021" &&
      aws_cloudfront_distribution.this.viewer_certificate[0].ssl_support_method == "sni-only"
    )
    error_message = "Viewers must get the us-east-1 certificate over SNI with TLS 1.2 or later."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.bucket.statement[0].actions == toset(["s3:GetObject"]) &&
      [for principal in data.aws_iam_policy_document.bucket.statement[0].principals : principal.identifiers] == [toset(["cloudfront.amazonaws.com"])] &&
      [for condition in data.aws_iam_policy_document.bucket.statement[0].condition : condition.values] == [tolist(["arn:aws:cloudfront::123456789012:distribution/E1"])]
    )
    error_message = "The bucket may be read by this distribution only."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "The dashboard bucket must block every kind of public access."
  }
}

################################################################################
# data: every table on-demand, PITR, SSE, TTL; attributes are exactly the key attributes
################################################################################

run "data" {
  command = apply

  module {
    source = "../../modules/data"
  }

  assert {
    condition = alltrue([
      for table in aws_dynamodb_table.this :
      table.billing_mode == "PAY_PER_REQUEST" && table.point_in_time_recovery[0].enabled && table.server_side_encryption[0].enabled &&
      table.deletion_protection_enabled && startswith(table.name, "statuspage-")
    ])
    error_message = "Every table must be on-demand, with PITR, SSE, deletion protection and the statuspage- prefix."
  }

  assert {
    condition = alltrue([
      for table in aws_dynamodb_table.this : table.ttl[0].enabled && table.ttl[0].attribute_name == local.ttl_attribute
    ])
    error_message = "Every table must expire items by the shared TTL attribute."
  }

  assert {
    condition = alltrue([
      for table in aws_dynamodb_table.this :
      toset([for attribute in table.attribute : attribute.name]) == toset(compact(concat(
        [table.hash_key, table.range_key],
        flatten([for index in table.global_secondary_index : [index.hash_key, index.range_key]]),
      )))
    ])
    error_message = "Each table must define exactly its key attributes (DynamoDB rejects unused attribute definitions)."
  }

  assert {
    condition = alltrue(flatten([
      for table in aws_dynamodb_table.this : [for index in table.global_secondary_index : index.projection_type == "ALL"]
    ]))
    error_message = "Global secondary indexes must project ALL attributes, as the app's queries read whole items."
  }

  assert {
    condition     = length(output.index_arns) == length(flatten([for table in aws_dynamodb_table.this : table.global_secondary_index]))
    error_message = "index_arns must list every global secondary index (the instance role needs them to Query)."
  }
}

################################################################################
# alerts: the per-instance status check alarm exists only with the single instance
################################################################################

run "alerts_single_instance" {
  command = plan

  module {
    source = "../../modules/alerts"
  }

  variables {
    name                    = "statuspage-prod"
    alert_email             = ""
    alb_arn_suffix          = "app/x/1"
    target_group_arn_suffix = "targetgroup/x/1"
    instance_id             = "i-0123456789abcdef0"
    dynamodb_table_names    = { checks = "statuspage-checks" }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.status_check) == 1 && aws_cloudwatch_metric_alarm.status_check[0].dimensions.InstanceId == "i-0123456789abcdef0"
    error_message = "The single instance must have its EC2 status check alarm."
  }
}

run "alerts_replicas" {
  command = plan

  module {
    source = "../../modules/alerts"
  }

  variables {
    name                    = "statuspage-prod"
    alert_email             = ""
    alb_arn_suffix          = "app/x/1"
    target_group_arn_suffix = "targetgroup/x/1"
    autoscaling_group_name  = "statuspage-prod"
    dynamodb_table_names    = { checks = "statuspage-checks" }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.status_check) == 0 && aws_cloudwatch_metric_alarm.unhealthy_hosts.metric_name == "UnHealthyHostCount"
    error_message = "Replicas are replaced by their group: no per-instance alarm, the unhealthy-hosts alarm stays."
  }
}

################################################################################
# ci: the deploy role trusts one GitLab project on one branch
################################################################################

run "ci" {
  command = apply

  module {
    source = "../../modules/ci"
  }

  variables {
    name                = "statuspage-prod"
    gitlab_project_path = "acme/status-page"
  }

  assert {
    condition = (
      aws_iam_openid_connect_provider.this[0].url == "https://gitlab.com" &&
      aws_iam_openid_connect_provider.this[0].client_id_list == toset(["https://gitlab.com"])
    )
    error_message = "The OIDC provider must be gitlab.com with the pipeline's audience."
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.assume.statement) == 1 &&
      data.aws_iam_policy_document.assume.statement[0].actions == toset(["sts:AssumeRoleWithWebIdentity"]) &&
      [for principal in data.aws_iam_policy_document.assume.statement[0].principals : principal.identifiers] == [toset(["arn:aws:iam::123456789012:oidc-provider/gitlab.com"])]
    )
    error_message = "Only web identities of the GitLab OIDC provider may assume the deploy role."
  }

  assert {
    condition = {
      for condition in data.aws_iam_policy_document.assume.statement[0].condition : condition.variable => { test = condition.test, values = condition.values }
      } == {
      "gitlab.com:aud" = { test = "StringEquals", values = tolist(["https://gitlab.com"]) }
      "gitlab.com:sub" = { test = "StringEquals", values = tolist(["project_path:acme/status-page:ref_type:branch:ref:main"]) }
    }
    error_message = "The deploy role must trust exactly sub = project_path:acme/status-page:ref_type:branch:ref:main (no wildcard) and aud = https://gitlab.com."
  }

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.iam.statement : [
        for resource in statement.resources : anytrue([
          startswith(resource, "arn:aws:iam::123456789012:role/statuspage-prod-"),
          startswith(resource, "arn:aws:iam::123456789012:instance-profile/statuspage-prod-"),
          resource == "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
        ])
      ]
    ]))
    error_message = "The deploy role's IAM rights must stay inside the statuspage-prod- name prefix and the GitLab OIDC provider."
  }
}

run "ci_reuses_an_existing_oidc_provider" {
  command = apply

  module {
    source = "../../modules/ci"
  }

  variables {
    name                       = "statuspage-prod"
    gitlab_project_path        = "acme/status-page"
    gitlab_branch              = "production"
    create_oidc_provider       = false
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.org"
  }

  assert {
    condition = (
      length(aws_iam_openid_connect_provider.this) == 0 &&
      [for principal in data.aws_iam_policy_document.assume.statement[0].principals : principal.identifiers] == [toset(["arn:aws:iam::123456789012:oidc-provider/gitlab.example.org"])] &&
      contains(flatten([for condition in data.aws_iam_policy_document.assume.statement[0].condition : condition.values]), "project_path:acme/status-page:ref_type:branch:ref:production")
    )
    error_message = "With create_oidc_provider = false the role must trust the given provider, and gitlab_branch must reach the sub claim."
  }
}

run "compute_without_subscriptions" {
  command = plan

  module {
    source = "../../modules/compute"
  }

  variables {
    name                       = "statuspage-prod"
    vpc_id                     = "vpc-1"
    subnet_ids                 = ["subnet-a", "subnet-b"]
    alb_security_group_id      = "sg-alb"
    instance_security_group_id = "sg-instance"
    zone_id                    = "Z123456"
    origin_domain_name         = "origin.status.example.com"
    origin_verify_secret       = "OriginSecret"
    dynamodb_table_arns        = ["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-checks"]
    dynamodb_index_arns        = ["arn:aws:dynamodb:eu-central-1:123456789012:table/statuspage-outbox/index/pending"]
    sns_topic_arn              = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-alerts"
    ssm_parameter_path         = "/statuspage/prod/"
  }

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.app.statement : contains(statement.actions, "sns:Subscribe")
    ])
    error_message = "Without a subscribers topic the instance must not be allowed to subscribe anything."
  }
}

run "alerts" {
  command = apply

  module {
    source = "../../modules/alerts"
  }

  variables {
    name                    = "statuspage-prod"
    alb_arn_suffix          = "app/statuspage-prod/1"
    target_group_arn_suffix = "targetgroup/statuspage-prod/1"
    instance_id             = "i-1"
    dynamodb_table_names    = { checks = "statuspage-checks" }
  }

  override_resource {
    target = aws_sns_topic.subscribers
    values = { arn = "arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers" }
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "123456789012" }
  }

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws" }
  }

  assert {
    condition     = aws_sns_topic.subscribers.name == "statuspage-prod-subscribers" && output.subscribers_topic_arn == aws_sns_topic.subscribers.arn
    error_message = "The subscribers topic must be <name>-subscribers and be the module's subscribers_topic_arn."
  }

  assert {
    condition = (
      [for statement in data.aws_iam_policy_document.subscribers.statement : statement.sid] == ["OwnerAccountOnly", "EmailSubscriptionsOnly", "DenyInsecureTransport"] &&
      [for principal in data.aws_iam_policy_document.subscribers.statement[0].principals : principal.identifiers] == [toset(["arn:aws:iam::123456789012:root"])] &&
      data.aws_iam_policy_document.subscribers.statement[0].resources == toset(["arn:aws:sns:eu-central-1:123456789012:statuspage-prod-subscribers"])
    )
    error_message = "Only this account may use the subscribers topic."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.subscribers.statement[1].effect == "Deny" &&
      data.aws_iam_policy_document.subscribers.statement[1].actions == toset(["sns:Subscribe"]) &&
      length(data.aws_iam_policy_document.subscribers.statement[1].condition) == 1 &&
      one(data.aws_iam_policy_document.subscribers.statement[1].condition).test == "StringNotEquals" &&
      one(data.aws_iam_policy_document.subscribers.statement[1].condition).variable == "sns:Protocol" &&
      tolist(one(data.aws_iam_policy_document.subscribers.statement[1].condition).values) == tolist(["email"])
    )
    error_message = "The topic policy must refuse every subscription protocol but e-mail."
  }

  assert {
    condition     = aws_sns_topic_policy.subscribers.arn == aws_sns_topic.subscribers.arn
    error_message = "The policy must be attached to the subscribers topic."
  }
}
